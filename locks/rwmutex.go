package locks

import (
	"sync"

	"github.com/lockbench/lockbench/internal/cacheline"
)

func init() {
	Register(Ops{
		Name:        "rwmutex",
		UnlockFatal: true,
		Doc:         "sync.RWMutex: writers serialize on a sync.Mutex, readers count in one shared word; a waiting writer blocks new readers",
		New:         func() Lock { return new(RWMutex) },
	})
}

var _ RWLock = (*RWMutex)(nil)

// RWMutex is sync.RWMutex, padded, with its read side: the baseline every
// reader-writer strategy is measured against. Every RLock and RUnlock adds
// to one shared reader count, so readers on different CPUs still take the
// count's cache line from each other (golang/go#17973).
//
// The zero value is an unlocked lock. An RWMutex must not be copied after
// first use. Fairness and memory ordering are sync.RWMutex's: writers
// serialize on an inner sync.Mutex, and a pending writer blocks new readers
// (writer preference), so a stream of readers cannot starve a writer.
// Unlock of an unlocked RWMutex is a fatal error, as it is for sync.RWMutex.
type RWMutex struct {
	rw sync.RWMutex
	_  cacheline.Pad // prevents false sharing
}

// Lock acquires rw for writing.
func (rw *RWMutex) Lock() { rw.rw.Lock() }

// Unlock releases the write lock.
func (rw *RWMutex) Unlock() { rw.rw.Unlock() }

// RLock acquires rw for reading.
func (rw *RWMutex) RLock() { rw.rw.RLock() }

// RUnlock releases one read lock.
func (rw *RWMutex) RUnlock() { rw.rw.RUnlock() }
