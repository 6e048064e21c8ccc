package counter

import (
	"github.com/lockbench/lockbench/internal/cacheline"
	"github.com/lockbench/lockbench/internal/work"
)

// atomicGuard is one atomic word: the baseline every lock is measured
// against. Updates are a single locked XADD; reads are a plain load.
type atomicGuard struct {
	value   cacheline.Int64 // padded: every writer hits it
	csSteps int             // busy work before each update, unserialised
}

func (g *atomicGuard) add(delta int64) {
	if g.csSteps > 0 {
		work.Spin(g.csSteps)
	}
	g.value.Add(delta)
}

func (g *atomicGuard) load() int64 { return g.value.Load() }
