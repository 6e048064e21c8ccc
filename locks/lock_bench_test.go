package locks_test

import (
	"fmt"
	"runtime"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/lockbench/lockbench/locks"
)

// BenchmarkLock measures one Lock, increment, Unlock per op for every sound
// strategy, beside an atomic add baseline, at 1 goroutine, GOMAXPROCS and
// 4×GOMAXPROCS. Names are key=value so that `benchstat -col /lock` works:
//
//	go test -run '^$' -bench Lock -count 10 ./locks | tee new.txt
//	benchstat -col /lock new.txt
//
// The end-to-end load, through the counter module and /proc, lives in
// package bench.
func BenchmarkLock(b *testing.B) {
	procs := runtime.GOMAXPROCS(0)
	for _, g := range []int{1, procs, 4 * procs} {
		b.Run(fmt.Sprintf("lock=atomic/g=%d", g), func(b *testing.B) {
			var n atomic.Int64
			runGoroutines(b, g, func() { n.Add(1) })
		})
		for _, name := range locks.Names() {
			ops, _ := locks.Lookup(name)
			b.Run(fmt.Sprintf("lock=%s/g=%d", name, g), func(b *testing.B) {
				l := ops.New()
				n := 0
				runGoroutines(b, g, func() {
					l.Lock()
					n++
					l.Unlock()
				})
			})
		}
	}
}

// runGoroutines splits b.N calls of op among g goroutines.
func runGoroutines(b *testing.B, g int, op func()) {
	b.ReportAllocs()
	var wg sync.WaitGroup
	start := make(chan struct{})
	for i := range g {
		n := b.N / g
		if i < b.N%g {
			n++
		}
		wg.Go(func() {
			<-start
			for range n {
				op()
			}
		})
	}
	b.ResetTimer()
	close(start)
	wg.Wait()
}
