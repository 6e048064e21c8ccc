package bench

import (
	"time"

	"github.com/puzpuzpuz/xsync/v4"

	"github.com/lockbench/lockbench/counter"
)

// xsync is a benchmark-only baseline guard: github.com/puzpuzpuz/xsync's
// striped Counter, the best-known Go peer of the counter's sharded guard,
// measured bare (no critical-section work). It is not a counter module
// guard, so only the direct path offers it.
func init() {
	counter.RegisterStore(counter.StoreSpec{
		Name:      "xsync",
		Doc:       "github.com/puzpuzpuz/xsync's striped Counter: the Go peer of sharded (path=direct, cs=0 only)",
		Baseline:  true,
		BenchOnly: true,
		Bare:      true,
		New:       func(time.Duration) counter.Store { return xsyncStore{xsync.NewCounter()} },
	})
}

// xsyncStore is an xsync.Counter as a counter's store.
type xsyncStore struct{ c *xsync.Counter }

func (s xsyncStore) Add(delta int64) { s.c.Add(delta) }
func (s xsyncStore) Load() int64     { return s.c.Value() }
