package main

// The later modes of leaksvc (kept apart so that main.go's lines, which
// the older fixtures' profiles name, stay where they were):
//
//	goroutine every -park'th request starts a goroutine that waits forever
//	          for a reply that never comes, holding its -bytes buffer (a
//	          goroutine leak: goroutines and memory grow with requests)
//	ttl       every request's buffer is kept for -ttl, then dropped: memory
//	          follows the request rate (a session cache), no leak
//
// In any mode, -garbage makes each request also allocate that many bytes it
// drops at once, as real handlers do (so collections come often).
//
// With GOMEMLIMIT set, the limit is also exported as go_gc_gomemlimit_bytes
// (the name newer client_golang versions give it).

import (
	"bytes"
	"flag"
	"math"
	"runtime/debug"
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

var (
	park    = flag.Int("park", 5, "goroutine: one request in this many parks a goroutine forever")
	ttl     = flag.Duration("ttl", 20*time.Second, "ttl: how long a request's buffer is kept")
	garbage = flag.Int("garbage", 0, "bytes each request allocates and drops at once")
)

// sink keeps the compiler from dropping the garbage allocation.
var sink []byte

// churn allocates n bytes that are garbage as soon as the request ends.
//
//go:noinline
func churn(n int) {
	if n > 0 {
		sink = make([]byte, n)
	}
}

var served int64

// parkSome counts the request and, every -park'th, starts a goroutine that
// waits for a reply that never comes.
func parkSome(n int) {
	store.mu.Lock()
	served++
	k := served
	store.mu.Unlock()
	if k%int64(*park) == 0 {
		go waitForReply(make(chan []byte), bytes.Repeat([]byte("g"), n))
	}
}

// waitForReply waits for a reply on ch, holding buf until it comes. Nothing
// ever sends on ch: the goroutine and its buffer stay forever.
//
//go:noinline
func waitForReply(ch chan []byte, buf []byte) {
	reply := <-ch
	copy(buf, reply)
}

// ExpireLater keeps a buffer for -ttl, then lets it go.
//
//go:noinline
func ExpireLater(n int) {
	buf := bytes.Repeat([]byte("t"), n)
	time.AfterFunc(*ttl, func() { buf[0] = 0 })
}

// registerSoftLimit exports GOMEMLIMIT, when set, as newer client_golang
// versions do.
func registerSoftLimit() {
	if limit := debug.SetMemoryLimit(-1); limit != math.MaxInt64 {
		prometheus.MustRegister(prometheus.NewGaugeFunc(
			prometheus.GaugeOpts{Name: "go_gc_gomemlimit_bytes", Help: "Go runtime memory limit (GOMEMLIMIT)."},
			func() float64 { return float64(debug.SetMemoryLimit(-1)) }))
	}
}
