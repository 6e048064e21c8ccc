package locks

import (
	"sync"

	"github.com/lockbench/lockbench/internal/cacheline"
)

func init() {
	Register(Ops{
		Name:        "mutex",
		UnlockFatal: true,
		Doc:         "sync.Mutex: spin briefly, then park on a semaphore; starvation mode hands off FIFO after 1ms",
		New:         func() Lock { return new(Mutex) },
	})
}

var _ Lock = (*Mutex)(nil)

// Mutex is the sync.Mutex baseline, padded so that neighbouring locks never
// share its cache line.
//
// The zero value is an unlocked lock. A Mutex must not be copied after first
// use. Fairness and memory ordering are sync.Mutex's: barging in normal mode,
// FIFO hand-off once a waiter has waited more than 1ms; Unlock happens before
// the next Lock returns. Unlock of an unlocked Mutex is a fatal error, as it
// is for sync.Mutex.
type Mutex struct {
	mu sync.Mutex
	_  cacheline.Pad // prevents false sharing
}

// Lock acquires m, blocking until it is available.
func (m *Mutex) Lock() { m.mu.Lock() }

// Unlock releases m.
func (m *Mutex) Unlock() { m.mu.Unlock() }
