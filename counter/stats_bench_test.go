package counter_test

import (
	"testing"

	"github.com/lockbench/lockbench/counter"
)

// BenchmarkGuardStats is what lock statistics cost, the guard alone (no
// engine, no path): one goroutine (g=1), and GOMAXPROCS goroutines with
// RunParallel (g=par), for every lock guard, without and with statistics.
//
//	go test -run '^$' -bench GuardStats -count 10 ./counter | benchstat -col /stats -
func BenchmarkGuardStats(b *testing.B) {
	for _, g := range counter.Guards() {
		if _, isLock := g.Lock(); !isLock {
			continue
		}
		for _, par := range []bool{false, true} {
			for _, stats := range []bool{false, true} {
				name := "lock=" + g.Name() + "/g=1"
				if par {
					name = "lock=" + g.Name() + "/g=par"
				}
				opts := []counter.Option{}
				name += "/stats=off"
				if stats {
					opts = append(opts, counter.WithStats())
					name = name[:len(name)-len("off")] + "on"
				}
				b.Run(name, func(b *testing.B) {
					c, err := counter.New(g, opts...)
					if err != nil {
						b.Fatal(err)
					}
					if !par {
						for range b.N {
							c.Inc()
						}
						return
					}
					b.RunParallel(func(pb *testing.PB) {
						for pb.Next() {
							c.Inc()
						}
					})
				})
			}
		}
	}
}
