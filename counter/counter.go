// Package counter is the tutorial's counter module: /proc/counter holds a
// shared counter that `echo I > /proc/counter` increments and
// `echo D > /proc/counter` decrements, guarded by a lock chosen at insmod
// time. It is written only against package kernel's API and registers itself
// from init, so importing it makes "counter" available to Insmod:
//
//	import _ "github.com/lockbench/lockbench/counter"
//
//	k.Insmod("counter", "lock=ticket", "verbose=1")
//
// Parameters:
//   - lock: the guard. Any sound strategy of package locks (a lock around a
//     plain int64), "atomic" (one sync/atomic word) or "sharded" (a per-CPU
//     striped counter, as the kernel's percpu_counter). Default "mutex".
//   - verbose: printk every operation at KERN_DEBUG.
//   - cs: busy work done inside every critical section, as a Go duration
//     ("100ns"), at most MaxCriticalSection (1ms); benchmarks use it to model
//     a guard held for longer. Default 0.
//   - allow_broken: accept lock=busted, the deliberately broken lock, as a
//     negative control that must lose updates. Default 0.
//
// The same counter is available without the kernel, through [New], for
// benchmarks that measure the guard alone.
package counter

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/lockbench/lockbench/internal/quote"
	"github.com/lockbench/lockbench/internal/work"
	"github.com/lockbench/lockbench/locks"
)

// The guards that are not locks.
const (
	GuardAtomic  = "atomic"  // sync/atomic add on one padded word
	GuardSharded = "sharded" // per-CPU stripes, summed on read
)

// GuardDoc returns a one-line description of a guard: a lock's Doc, or what
// atomic and sharded do.
func GuardDoc(name string) string {
	switch name {
	case GuardAtomic:
		return "one padded atomic word, sync/atomic add: the baseline every lock is measured against"
	case GuardSharded:
		return "per-CPU (per-P) padded stripes, summed on read, as the kernel's percpu_counter"
	}
	if ops, err := locks.Lookup(name); err == nil {
		return ops.Doc
	}
	return ""
}

// DefaultGuard is the lock= value insmod uses when none is given: the
// tutorial's mutex.
const DefaultGuard = "mutex"

// Guards returns every value the lock= parameter accepts: the sound
// strategies of package locks, sorted, then atomic and sharded.
func Guards() []string { return append(locks.Names(), GuardAtomic, GuardSharded) }

// CheckGuard reports whether name is a guard New accepts: one of [Guards], a
// lock with a waiting policy ("ticket:park", see locks.Variants), or, if
// allowBroken, a deliberately broken lock. The error lists the valid names.
func CheckGuard(name string, allowBroken bool) error {
	if slices.Contains(Guards(), name) {
		return nil
	}
	if ops, err := locks.Lookup(name); err == nil && (!ops.Broken || allowBroken) {
		return nil
	}
	return &UnknownGuardError{Name: name}
}

// Counter is a shared int64 behind a guard. Its methods are safe for
// concurrent use.
type Counter struct {
	guard guard
	name  string
}

// guard is one way of keeping the value consistent.
type guard interface {
	add(delta int64)
	load() int64
}

// An Option changes how New builds a counter.
type Option func(*options)

type options struct {
	csSteps     int // work.Spin steps inside each critical section
	allowBroken bool
}

// WithCriticalSection makes every operation do about d of busy work while it
// holds the guard. The atomic and sharded guards have no lock to hold: they
// do the same work just before their atomic update, unserialised, which is
// exactly what they save.
func WithCriticalSection(d time.Duration) Option {
	return func(o *options) { o.csSteps = work.Steps(d) }
}

// AllowBroken lets New accept a deliberately broken lock (busted) as the
// guard, the negative control that correctness checks must catch. The value
// is then updated with a separate atomic load and store: updates are lost
// when two holders overlap, yet the race detector stays quiet.
func AllowBroken() Option {
	return func(o *options) { o.allowBroken = true }
}

// New returns a zero counter behind the named guard (one of [Guards], or a
// broken lock with [AllowBroken]).
func New(guardName string, opts ...Option) (*Counter, error) {
	var o options
	for _, opt := range opts {
		opt(&o)
	}
	var g guard
	switch guardName {
	case GuardAtomic:
		g = &atomicGuard{csSteps: o.csSteps}
	case GuardSharded:
		g = newShardedGuard(o.csSteps)
	default:
		ops, err := locks.Lookup(guardName)
		switch {
		case err != nil, ops.Broken && !o.allowBroken:
			return nil, &UnknownGuardError{Name: guardName}
		case ops.Broken:
			g = &brokenLockGuard{lock: ops.New(), csSteps: o.csSteps}
		default:
			g = &lockGuard{lock: ops.New(), csSteps: o.csSteps}
		}
	}
	return &Counter{guard: g, name: guardName}, nil
}

// Guard returns the name of the counter's guard.
func (c *Counter) Guard() string { return c.name }

// Add adds delta to the counter.
func (c *Counter) Add(delta int64) { c.guard.add(delta) }

// Inc adds one, as writing "I" does.
func (c *Counter) Inc() { c.guard.add(1) }

// Dec subtracts one, as writing "D" does.
func (c *Counter) Dec() { c.guard.add(-1) }

// Value returns the counter's value. For the lock guards it is read under the
// lock; for sharded it is the sum of the stripes, exact whenever no update is
// in flight.
func (c *Counter) Value() int64 { return c.guard.load() }

// UnknownGuardError reports a lock= value that names no guard.
type UnknownGuardError struct{ Name string }

func (e *UnknownGuardError) Error() string {
	return fmt.Sprintf("unknown lock %q (valid: %s; a lock may take a waiting policy: ticket:park, mcs:spin...)", quote.Short(e.Name), strings.Join(Guards(), ", "))
}
