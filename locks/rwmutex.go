package locks

import (
	"sync"

	"github.com/lockbench/lockbench/internal/cacheline"
)

func init() {
	Register(Ops{
		Name: "rwmutex",
		Doc:  "sync.RWMutex write side: a sync.Mutex for writers plus reader accounting on every acquisition",
		New:  func() Lock { return new(RWMutex) },
	})
}

var _ Lock = (*RWMutex)(nil)

// RWMutex is the write side of sync.RWMutex, the baseline for what reader
// accounting costs a writer-only load.
//
// The zero value is an unlocked lock. An RWMutex must not be copied after
// first use. Fairness and memory ordering are sync.RWMutex's: writers
// serialize on an inner sync.Mutex, and a pending writer blocks new readers.
// Unlock of an unlocked RWMutex is a fatal error, as it is for sync.RWMutex.
type RWMutex struct {
	rw sync.RWMutex
	_  cacheline.Pad // prevents false sharing
}

// Lock acquires rw for writing.
func (rw *RWMutex) Lock() { rw.rw.Lock() }

// Unlock releases the write lock.
func (rw *RWMutex) Unlock() { rw.rw.Unlock() }
