package counter

import (
	"math/bits"
	"runtime"
	"time"

	"github.com/lockbench/lockbench/internal/cacheline"
	"github.com/lockbench/lockbench/internal/percpu"
	"github.com/lockbench/lockbench/internal/work"
)

func init() {
	RegisterStore(StoreSpec{
		Name:     "sharded",
		Doc:      "per-CPU (per-P) padded stripes, summed on read, as the kernel's percpu_counter",
		Baseline: true,
		New:      func(cs time.Duration) Store { return newShardedStore(work.Steps(cs)) },
	})
}

// shardedStore is a per-CPU-style striped counter, as the kernel's
// percpu_counter: an update adds to the stripe of the P the goroutine runs on,
// so writers on different Ps touch different cache lines; a read sums every
// stripe.
//
// Stripes are updated atomically because a goroutine can move to another P
// between choosing its stripe and adding to it; the stripe index is a hint
// for spreading the load, not exclusion. A read is exact whenever no update
// is in flight; during updates it is the sum of values each stripe had at
// some moment of the read.
type shardedStore struct {
	stripes []cacheline.Int64 // one per P, padded so that stripes never share a line
	mask    int               // len(stripes)-1; len is a power of two
	csSteps int               // busy work before each update, unserialised
}

func newShardedStore(csSteps int) *shardedStore {
	n := 1 << bits.Len(uint(runtime.GOMAXPROCS(0)-1)) // GOMAXPROCS rounded up to a power of two
	return &shardedStore{stripes: make([]cacheline.Int64, n), mask: n - 1, csSteps: csSteps}
}

func (g *shardedStore) Add(delta int64) {
	if g.csSteps > 0 {
		work.Spin(g.csSteps)
	}
	// If GOMAXPROCS grew since the counter was made, Ps share stripes: still
	// correct, since every stripe update is atomic.
	g.stripes[percpu.ID()&g.mask].Add(delta)
}

func (g *shardedStore) Load() int64 {
	var sum int64
	for i := range g.stripes {
		sum += g.stripes[i].Load()
	}
	return sum
}
