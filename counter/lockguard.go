package counter

import (
	"github.com/lockbench/lockbench/internal/cacheline"
	"github.com/lockbench/lockbench/locks"
)

// lockGuard keeps a plain int64 under a lock, as the tutorial's module keeps
// its counter under a kernel mutex.
type lockGuard struct {
	lock  locks.Lock // its own padded allocation
	_     [cacheline.Size - 16]byte
	value int64                    // guarded by lock
	_     [cacheline.Size - 8]byte // prevents false sharing with neighbouring allocations
}

func (g *lockGuard) add(delta int64) {
	g.lock.Lock()
	g.value += delta
	g.lock.Unlock()
}

func (g *lockGuard) load() int64 {
	g.lock.Lock()
	v := g.value
	g.lock.Unlock()
	return v
}
