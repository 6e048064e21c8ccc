// Package locks holds lockbench's lock strategies behind one interface, each
// registered under a name, in the manner of the kernel's locktorture ops
// vectors (kernel/locking/locktorture.c).
//
// Every strategy lives in its own file with its invariant, fairness and memory
// ordering documented next to the fields they govern. The registry is filled
// from init functions; [Lookup] finds a strategy by name and [Names] lists the
// sound ones. One strategy, busted, is deliberately incorrect and marked
// [Ops.Broken]: it exists so that every correctness check can prove it bites.
//
// # Waiting policy
//
// The spinlocks (tas, ttas, ticket, mcs) are written for goroutines, which,
// unlike kernel spinlock holders, can be preempted while they hold the lock:
// with 64 goroutines on GOMAXPROCS=2 the holder is usually not running. A
// waiter that only spins then burns its whole time slice (up to the runtime's
// 10 ms preemption tick) while the holder waits for a P. So every waiter spins
// on a read of its word for a bounded number of iterations (cheap hand-offs
// when the holder is running on another P) and then calls runtime.Gosched
// between checks, handing its P to runnable goroutines, the preempted holder
// among them. Nothing parks: a spinlock waiter never sleeps on a semaphore,
// which is what separates these locks from sync.Mutex.
//
// # Misuse
//
// Unlocking an unlocked spinlock panics with a message prefixed "locks:"
// wherever the lock's state makes it detectable. The sync wrappers (mutex,
// rwmutex) keep the standard library's behaviour: a fatal error.
//
// # Padding
//
// Contended words are padded to [cacheLineSize] so that two locks, or a lock
// and the data next to it, never share a cache line (false sharing turns every
// access into a coherence miss).
package locks

import (
	"fmt"
	"runtime"
	"sort"
	"strings"
	"sync"
)

// Lock is a mutual-exclusion lock. Its method set is that of sync.Locker.
type Lock interface {
	Lock()
	Unlock()
}

// Ops describes one lock strategy, as locktorture's lock_torture_ops does.
type Ops struct {
	Name   string      // registry key, e.g. "ticket"; no '/', it splits benchmark keys
	Doc    string      // one line: algorithm, fairness, waiting policy
	Broken bool        // true only for deliberately incorrect locks (busted)
	FIFO   bool        // waiters acquire in arrival order; the conformance suite checks it
	New    func() Lock // a fresh, unlocked lock
}

var registry struct {
	sync.RWMutex
	ops map[string]Ops
}

// Register adds a strategy. It is meant to be called from init and panics on
// an empty or duplicate name, a name containing '/' or ',' (benchmark keys and
// CLI lists split on them), or a nil New.
func Register(o Ops) {
	if o.Name == "" || strings.ContainsAny(o.Name, "/, \t") {
		panic(fmt.Sprintf("locks: Register: invalid name %q", o.Name))
	}
	if o.New == nil {
		panic("locks: Register: nil New for " + o.Name)
	}
	registry.Lock()
	defer registry.Unlock()
	if registry.ops == nil {
		registry.ops = make(map[string]Ops)
	}
	if _, dup := registry.ops[o.Name]; dup {
		panic("locks: Register called twice for " + o.Name)
	}
	registry.ops[o.Name] = o
}

// Lookup returns the strategy registered under name, broken ones included.
// An unknown name yields an error that lists the valid names.
func Lookup(name string) (Ops, error) {
	registry.RLock()
	o, ok := registry.ops[name]
	registry.RUnlock()
	if !ok {
		return Ops{}, &UnknownError{Name: name, Valid: Names(), Broken: brokenNames()}
	}
	return o, nil
}

// Names returns the sorted names of every sound (non-Broken) strategy.
func Names() []string { return names(false) }

func brokenNames() []string { return names(true) }

func names(broken bool) []string {
	registry.RLock()
	defer registry.RUnlock()
	var out []string
	for name, o := range registry.ops {
		if o.Broken == broken {
			out = append(out, name)
		}
	}
	sort.Strings(out)
	return out
}

// All returns every registered strategy, broken ones included, sorted by name.
func All() []Ops {
	registry.RLock()
	defer registry.RUnlock()
	out := make([]Ops, 0, len(registry.ops))
	for _, o := range registry.ops {
		out = append(out, o)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}

// UnknownError reports a lock name that is not registered.
type UnknownError struct {
	Name   string
	Valid  []string // sound strategies
	Broken []string // deliberately broken strategies, valid for checks only
}

func (e *UnknownError) Error() string {
	msg := fmt.Sprintf("locks: unknown lock %q (valid: %s", e.Name, strings.Join(e.Valid, ", "))
	if len(e.Broken) > 0 {
		msg += "; broken, for checks only: " + strings.Join(e.Broken, ", ")
	}
	return msg + ")"
}

// cacheLineSize is the padding unit for contended words. 64 bytes is the line
// size of every amd64 and most arm64 parts lockbench runs on; it is a constant
// so that padded structs have a static layout.
const cacheLineSize = 64

// spinLimit is how many times a waiter re-reads its word before it starts
// calling runtime.Gosched between reads. About a microsecond of spinning:
// long enough to cover a critical section held by a running goroutine, short
// enough that a waiter behind a preempted holder gives its P away quickly.
const spinLimit = 128

// spinWait is the spin-then-yield waiting policy shared by the spinlocks.
// The zero value is ready to use; one lives on each waiter's stack.
type spinWait struct{ n int }

// wait is called once per failed check of the lock word.
func (w *spinWait) wait() {
	if w.n < spinLimit {
		w.n++
		return
	}
	runtime.Gosched()
}

// yieldNow gives the P away at once; waiters that know they are far from the
// head of a FIFO queue use it instead of spinning.
func yieldNow() { runtime.Gosched() }

// fifoProbe is implemented by every FIFO strategy so that the conformance
// suite can queue waiters in a known order: tailToken changes with every
// arrival while the lock is held.
type fifoProbe interface{ tailToken() uint64 }
