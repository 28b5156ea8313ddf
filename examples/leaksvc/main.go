// Command leaksvc is leakscope's example service: a small HTTP server that
// leaks memory in chosen ways, instrumented as real Go services are (the
// Prometheus Go client's default metrics, net/http/pprof). It makes the
// project's test data: see examples/README.md and examples/make_series_fixtures.py.
//
//	GOPATH=/usr/share/gocode GO111MODULE=off go build -o leaksvc ./examples/leaksvc
//	leaksvc -addr 127.0.0.1:19201 -mode leak
//
// Modes:
//
//	leak      every request keeps a -bytes buffer forever (the classic
//	          unbounded-slice leak: memory grows with the request count)
//	steady    every request's buffer goes into a ring of -keep slots: the
//	          heap saws up and down with each GC but reaches a steady state
//	bgleak    a background goroutine keeps -bytes every -every, whether or
//	          not requests come (a leak that does not stop when work stops)
//
// It listens on loopback only.
package main

import (
	"bytes"
	"flag"
	"fmt"
	"log"
	"net"
	"net/http"
	_ "net/http/pprof"
	"strings"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

var (
	addr  = flag.String("addr", "127.0.0.1:19201", "listen address (must be loopback)")
	mode  = flag.String("mode", "leak", "leak | steady | bgleak | goroutine | ttl")
	size  = flag.Int("bytes", 10000, "bytes kept per request (leak, steady) or per tick (bgleak)")
	keep  = flag.Int("keep", 2000, "steady: number of buffers kept")
	every = flag.Duration("every", 100*time.Millisecond, "bgleak: how often a buffer is kept")
)

var requestsTotal = prometheus.NewCounterVec(
	prometheus.CounterOpts{Name: "http_requests_total", Help: "HTTP requests by code and handler."},
	[]string{"code", "handler"},
)

// Store keeps request buffers: all of them (limit 0) or the last `limit`.
type Store struct {
	mu      sync.Mutex
	buffers [][]byte
	limit   int
	next    int
}

//go:noinline
func (s *Store) Keep(n int) {
	buf := bytes.Repeat([]byte("x"), n)
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.limit == 0 || len(s.buffers) < s.limit {
		s.buffers = append(s.buffers, buf)
		return
	}
	s.buffers[s.next] = buf
	s.next = (s.next + 1) % s.limit
}

var store Store

// backgroundLeak keeps a buffer on every tick, with or without traffic.
func backgroundLeak() {
	for range time.Tick(*every) {
		store.Keep(*size)
	}
}

func work(w http.ResponseWriter, r *http.Request) {
	switch *mode {
	case "leak", "steady":
		store.Keep(*size)
	case "goroutine":
		parkSome(*size)
	case "ttl":
		ExpireLater(*size)
	}
	churn(*garbage)
	fmt.Fprintln(w, "ok")
}

func main() {
	flag.Parse()
	if host, _, err := net.SplitHostPort(*addr); err != nil || !(host == "127.0.0.1" || host == "::1" || strings.HasPrefix(host, "localhost")) {
		log.Fatalf("leaksvc listens on loopback only, not %q", *addr)
	}
	switch *mode {
	case "leak":
	case "steady":
		store.limit = *keep
	case "bgleak":
		go backgroundLeak()
	case "goroutine", "ttl":
	default:
		log.Fatalf("unknown mode %q", *mode)
	}
	prometheus.MustRegister(requestsTotal)
	// Exported from the start (at 0), as services that pre-initialise their
	// counters do: "no requests" is then a fact in the data, not a gap.
	requestsTotal.WithLabelValues("200", "/work")
	registerSoftLimit()
	http.Handle("/work", promhttp.InstrumentHandlerCounter(
		requestsTotal.MustCurryWith(prometheus.Labels{"handler": "/work"}),
		http.HandlerFunc(work)))
	http.Handle("/metrics", promhttp.Handler())
	log.Printf("leaksvc mode=%s on %s", *mode, *addr)
	log.Fatal(http.ListenAndServe(*addr, nil))
}
