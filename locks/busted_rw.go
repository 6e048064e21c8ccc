package locks

import (
	"sync"

	"github.com/lockbench/lockbench/internal/cacheline"
)

func init() {
	Register(Ops{
		Name:        "busted-rw",
		UnlockFatal: true,
		Doc:         "deliberately broken reader-writer lock: writers exclude each other, readers exclude nobody",
		Broken:      true,
		New:         func() Lock { return new(BustedRW) },
	})
}

var _ RWLock = (*BustedRW)(nil)

// BustedRW is a deliberately incorrect reader-writer lock, the negative
// control of every reader check: its writers exclude each other (a
// sync.Mutex), but RLock and RUnlock do nothing, so readers overlap
// writers. It is registered Broken and never appears in [Names].
type BustedRW struct {
	mu sync.Mutex
	_  cacheline.Pad
}

// Lock acquires l for writing, excluding other writers only.
func (l *BustedRW) Lock() { l.mu.Lock() }

// Unlock releases the write lock.
func (l *BustedRW) Unlock() { l.mu.Unlock() }

// RLock does not wait for writers: the bug.
func (l *BustedRW) RLock() {}

// RUnlock does nothing.
func (l *BustedRW) RUnlock() {}
