// Command loadgen sends a bounded load to leaksvc instances on loopback:
// a fixed rate for a fixed time, following a schedule of busy and idle
// phases (a phase may set its own rate: 60s@40), and never more than -max
// requests.
//
//	loadgen -rate 150 -schedule 60s,30s:idle,90s -max 50000 http://127.0.0.1:19201/work
//	loadgen -schedule 60s@40,60s@160,60s@40 -max 50000 http://127.0.0.1:19201/work
package main

import (
	"flag"
	"fmt"
	"io"
	"log"
	"net/http"
	"net/url"
	"os"
	"strconv"
	"strings"
	"time"
)

var (
	rate     = flag.Int("rate", 150, "requests per second while busy")
	schedule = flag.String("schedule", "60s", "comma-separated phases: DURATION (busy), DURATION@RATE or DURATION:idle")
	max      = flag.Int("max", 100000, "stop after this many requests in all")
)

func main() {
	flag.Parse()
	for _, target := range flag.Args() {
		u, err := url.Parse(target)
		if err != nil || !(u.Hostname() == "127.0.0.1" || u.Hostname() == "localhost") {
			log.Fatalf("loadgen sends to loopback only, not %q", target)
		}
	}
	client := &http.Client{Timeout: 2 * time.Second}
	sent := 0
	for _, phase := range strings.Split(*schedule, ",") {
		spec := strings.SplitN(phase, ":", 2)
		perSecond := *rate
		if at := strings.Index(spec[0], "@"); at >= 0 {
			r, err := strconv.Atoi(spec[0][at+1:])
			if err != nil || r <= 0 {
				log.Fatalf("bad rate in phase %q", phase)
			}
			perSecond, spec[0] = r, spec[0][:at]
		}
		d, err := time.ParseDuration(spec[0])
		if err != nil {
			log.Fatal(err)
		}
		if len(spec) == 2 && spec[1] == "idle" {
			fmt.Fprintf(os.Stderr, "loadgen: idle for %v\n", d)
			time.Sleep(d)
			continue
		}
		fmt.Fprintf(os.Stderr, "loadgen: %d req/s for %v\n", perSecond, d)
		tick := time.NewTicker(time.Second / time.Duration(perSecond))
		end := time.Now().Add(d)
		for now := range tick.C {
			if now.After(end) || sent >= *max {
				break
			}
			for _, target := range flag.Args() {
				if resp, err := client.Get(target); err == nil {
					io.Copy(io.Discard, resp.Body)
					resp.Body.Close()
				}
				sent++
			}
		}
		tick.Stop()
	}
	fmt.Fprintf(os.Stderr, "loadgen: sent %d requests\n", sent)
}
