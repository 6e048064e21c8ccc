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
//     plain int64), with a waiting policy where it takes one ("ticket:spin");
//     reads take a reader-writer lock's read side and a seqlock's lockless
//     read. Or "atomic" (one sync/atomic word) or "sharded" (a per-CPU
//     striped counter, as the kernel's percpu_counter). Default "mutex".
//   - verbose: printk every operation at KERN_DEBUG.
//   - cs: busy work done inside every critical section, as a Go duration
//     ("100ns"), at most MaxCriticalSection (1ms); benchmarks use it to model
//     a guard held for longer. Default 0.
//   - stats: keep lock statistics (locks.Stats), shown in /proc/lock_stat
//     under the guard's name, as CONFIG_LOCK_STAT shows the kernel's lock
//     classes; writing 0 to /proc/lock_stat clears them. Default 0.
//   - allow_broken: accept lock=busted, the deliberately broken lock, as a
//     negative control that must lose updates. Default 0.
//
// The same counter is available without the kernel, through [ParseGuard]
// and [New], for benchmarks that measure the guard alone.
package counter

import (
	"fmt"
	"time"

	"github.com/lockbench/lockbench/internal/work"
	"github.com/lockbench/lockbench/locks"
)

// DefaultGuard is the lock= value insmod uses when none is given: the
// tutorial's mutex.
const DefaultGuard = "mutex"

// Counter is a shared int64 behind a guard. Its methods are safe for
// concurrent use.
type Counter struct {
	store Store
	guard Guard
}

// An Option changes how New builds a counter.
type Option func(*options)

type options struct {
	cs          time.Duration // busy work inside each critical section
	allowBroken bool
	stats       bool
}

// WithCriticalSection makes every operation do about d of busy work while it
// holds the guard. The atomic and sharded guards have no lock to hold: they
// do the same work just before their atomic update, unserialised, which is
// exactly what they save.
func WithCriticalSection(d time.Duration) Option {
	return func(o *options) { o.cs = d }
}

// AllowBroken lets New accept a deliberately broken lock (busted) as the
// guard, the negative control that correctness checks must catch. The value
// is then updated with a separate atomic load and store: updates are lost
// when two holders overlap, yet the race detector stays quiet.
func AllowBroken() Option {
	return func(o *options) { o.allowBroken = true }
}

// WithStats makes a lock guard keep lock statistics (see locks.Stats and
// [Counter.LockStats]): its lock counts its slow-path events, and the
// counter counts acquisitions and samples hold times around it. A store
// without a lock (atomic, sharded) keeps none. Without it, the guard runs
// the same code as it would if statistics did not exist.
func WithStats() Option {
	return func(o *options) { o.stats = true }
}

// New returns a zero counter behind guard g. A broken lock needs
// [AllowBroken]; an external guard (a label for a counter elsewhere) and
// the zero Guard build nothing and are errors.
func New(g Guard, opts ...Option) (*Counter, error) {
	var o options
	for _, opt := range opts {
		opt(&o)
	}
	if g.d == nil || g.External() {
		return nil, fmt.Errorf("counter: guard %q builds no counter", g.Name())
	}
	c := &Counter{guard: g}
	ops, isLock := g.Lock()
	switch {
	case g.Bare() && o.cs > 0:
		return nil, fmt.Errorf("counter: %s takes no critical-section work (cs=%v): it is a bare baseline", g.Name(), o.cs)
	case !isLock:
		c.store = g.d.newStore(o.cs)
	case ops.Broken && !o.allowBroken:
		return nil, fmt.Errorf("counter: %s: %w", g.Name(), errBroken)
	case o.stats:
		c.store = newStatStore(ops.New(), locks.NewStats(), work.Steps(o.cs), ops.Broken)
	case ops.Broken:
		c.store = &brokenLockGuard{lock: ops.New(), csSteps: work.Steps(o.cs)}
	default:
		c.store = newLockStore(ops.New(), work.Steps(o.cs))
	}
	return c, nil
}

// LockStats returns the statistics of the counter's lock, as of now (exact
// once the load has stopped), and false for a counter that keeps none
// (made without WithStats, or guarded by a store without a lock).
func (c *Counter) LockStats() (locks.StatSnapshot, bool) {
	if s, ok := c.store.(statStore); ok {
		return s.lockStats(), true
	}
	return locks.StatSnapshot{}, false
}

// ResetLockStats clears the statistics of the counter's lock, if it keeps
// any, as writing 0 to /proc/lock_stat does.
func (c *Counter) ResetLockStats() {
	if s, ok := c.store.(statStore); ok {
		s.resetLockStats()
	}
}

// Guard returns the counter's guard.
func (c *Counter) Guard() Guard { return c.guard }

// Add adds delta to the counter.
func (c *Counter) Add(delta int64) { c.store.Add(delta) }

// Inc adds one, as writing "I" does.
func (c *Counter) Inc() { c.store.Add(1) }

// Dec subtracts one, as writing "D" does.
func (c *Counter) Dec() { c.store.Add(-1) }

// Value returns the counter's value. For the lock guards it is read under the
// lock; for sharded it is the sum of the stripes, exact whenever no update is
// in flight.
func (c *Counter) Value() int64 { return c.store.Load() }
