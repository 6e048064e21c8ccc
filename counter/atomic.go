package counter

import (
	"time"

	"github.com/lockbench/lockbench/internal/cacheline"
	"github.com/lockbench/lockbench/internal/work"
)

func init() {
	RegisterStore(StoreSpec{
		Name:     "atomic",
		Doc:      "one padded atomic word, sync/atomic add: the baseline every lock is measured against",
		Baseline: true,
		New:      func(cs time.Duration) Store { return &atomicStore{csSteps: work.Steps(cs)} },
	})
}

// atomicStore is one atomic word: the baseline every lock is measured
// against. Updates are a single locked XADD; reads are a plain load.
type atomicStore struct {
	value   cacheline.Int64 // padded: every writer hits it
	csSteps int             // busy work before each update, unserialised
}

func (g *atomicStore) Add(delta int64) {
	if g.csSteps > 0 {
		work.Spin(g.csSteps)
	}
	g.value.Add(delta)
}

func (g *atomicStore) Load() int64 { return g.value.Load() }
