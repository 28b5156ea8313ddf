// Command leakgen writes the Go fixtures of tests/data: real profiles from a
// small program with a leak, inlining, recursion and pprof labels.
//
//	cd tests/data/leakgen && go run -trimpath . ..
//
// (-trimpath makes source paths read leakgen/main.go on any machine.)
//
// Heap sampling is set to every allocation, so heap values are exact.
package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"runtime"
	"runtime/pprof"
	"sync"
	"time"
)

var retained [][]byte

// Tracker keeps every request's buffer: the leak.
type Tracker struct{ requests [][]byte }

//go:noinline
func (t *Tracker) Track(size int) {
	t.requests = append(t.requests, bytes.Repeat([]byte("a"), size))
}

// buffer is small enough to be inlined into its callers.
func buffer(n int) []byte { return make([]byte, n) }

//go:noinline
func cache() { retained = append(retained, buffer(4096)) }

//go:noinline
func recurse(depth int) {
	if depth == 0 {
		retained = append(retained, make([]byte, 2048))
		return
	}
	recurse(depth - 1)
}

//go:noinline
func ping(n int) {
	if n > 0 {
		pong(n - 1)
		return
	}
	retained = append(retained, make([]byte, 1024))
}

//go:noinline
func pong(n int) { ping(n) }

//go:noinline
func spin(d time.Duration) int {
	x := 0
	for end := time.Now().Add(d); time.Now().Before(end); {
		for i := 0; i < 1000; i++ {
			x += i * i
		}
	}
	return x
}

func write(name string, f func(*os.File) error) {
	out, err := os.Create(filepath.Join(os.Args[1], name))
	if err != nil {
		panic(err)
	}
	if err := f(out); err != nil {
		panic(err)
	}
	out.Close()
}

func main() {
	runtime.MemProfileRate = 1
	runtime.SetMutexProfileFraction(1)

	t := &Tracker{}
	for i := 0; i < 50; i++ {
		t.Track(10000)
	}
	runtime.GC()
	// An early snapshot, to diff against the final one.
	write("go.heap.0.pb.gz", func(f *os.File) error { return pprof.Lookup("heap").WriteTo(f, 0) })
	for i := 0; i < 150; i++ {
		t.Track(10000)
	}
	for i := 0; i < 50; i++ {
		cache()
		recurse(3)
		ping(4)
	}
	// Lock contention for the mutex profile.
	var mu sync.Mutex
	var wg sync.WaitGroup
	for g := 0; g < 4; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < 200; i++ {
				mu.Lock()
				spin(50 * time.Microsecond)
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	runtime.GC()

	write("go.heap.pb.gz", func(f *os.File) error { return pprof.Lookup("heap").WriteTo(f, 0) })
	write("go.heap.debug1.txt", func(f *os.File) error { return pprof.Lookup("heap").WriteTo(f, 1) })
	write("go.mutex.debug1.txt", func(f *os.File) error { return pprof.Lookup("mutex").WriteTo(f, 1) })

	// A CPU profile with labels on two kinds of work.
	write("go.labels.cpu.pb.gz", func(f *os.File) error {
		if err := pprof.StartCPUProfile(f); err != nil {
			return err
		}
		ctx := context.Background()
		pprof.Do(ctx, pprof.Labels("handler", "/slow", "tenant", "a"), func(context.Context) { spin(600 * time.Millisecond) })
		pprof.Do(ctx, pprof.Labels("handler", "/fast", "tenant", "b"), func(context.Context) { spin(300 * time.Millisecond) })
		pprof.StopCPUProfile()
		return nil
	})
	runtime.KeepAlive(t)
}
