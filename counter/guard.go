package counter

import (
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/lockbench/lockbench/internal/quote"
	"github.com/lockbench/lockbench/internal/registry"
	"github.com/lockbench/lockbench/locks"
)

// Guard is what keeps the counter's value consistent, parsed once from its
// name (a lock= value, a -locks item) by [ParseGuard]: a lock of package
// locks around a plain int64, with its waiting policy, or a store that
// needs no lock (atomic, sharded, and the baselines benchmarks register).
// Every layer after the parse passes the Guard, never the name.
//
// Guards are interned: parsing the same guard twice, under any of its
// names ("ticket", "ticket:park"), gives the same value, so Guards compare
// with ==. The zero Guard is no guard.
type Guard struct{ d *guardDesc }

type guardDesc struct {
	name      string    // canonical: a lock's policy spelled out, "ticket:park"
	doc       string    // one line
	lock      locks.Ops // a lock guard's strategy, with its policy; zero for the others
	baseline  bool
	benchOnly bool
	external  bool
	bare      bool
	newStore  func(cs time.Duration) Store // a store's constructor; nil for locks and external guards
}

// noGuard describes the zero Guard: no name, no lock, nothing to build.
var noGuard guardDesc

// desc is g's description, noGuard's for the zero Guard, so that every
// method of the zero Guard answers rather than panics.
func (g Guard) desc() *guardDesc {
	if g.d == nil {
		return &noGuard
	}
	return g.d
}

// Name is the guard's canonical name, as results, /proc and dmesg show it:
// a lock with its waiting policy spelled out ("ticket:park"; see
// locks.Canonical), "mutex", "atomic"; "" for the zero Guard.
func (g Guard) Name() string { return g.desc().name }

// String returns the guard's name.
func (g Guard) String() string { return g.Name() }

// Doc is a one-line description: the lock's, or the store's.
func (g Guard) Doc() string { return g.desc().doc }

// Lock returns a lock guard's strategy, with its waiting policy, and
// whether g is a lock guard.
func (g Guard) Lock() (locks.Ops, bool) { d := g.desc(); return d.lock, d.lock.New != nil }

// Broken reports a deliberately broken lock (busted): a negative control,
// accepted only where a caller allows it.
func (g Guard) Broken() bool { return g.desc().lock.Broken }

// Baseline reports a guard that is measured beside the locks for reference
// (what a counter without a lock costs) and never ranked the best lock.
func (g Guard) Baseline() bool { return g.desc().baseline }

// BenchOnly reports a guard that only benchmarks' direct path offers (a
// baseline from another library): the counter module refuses it.
func (g Guard) BenchOnly() bool { return g.desc().benchOnly }

// External reports a guard that stands for a counter outside lockbench (a
// real kernel's /proc/counter, driven through a file): its name labels
// results, and nothing can be built from it.
func (g Guard) External() bool { return g.desc().external }

// Bare reports a store that takes no critical-section work: a baseline
// measured as it is (xsync's counter), which New refuses to give work.
func (g Guard) Bare() bool { return g.desc().bare }

// Store keeps a counter's value consistent under concurrent Add and Load:
// the implementation behind a guard. A store that needs no lock does the
// counter's critical-section work (see [WithCriticalSection]) just before
// its update, unserialised, which is exactly what it saves.
type Store interface {
	Add(delta int64)
	Load() int64
}

// stores are the guards that are not locks, by name.
var stores registry.Registry[*guardDesc]

// StoreSpec describes a guard that is not a lock.
type StoreSpec struct {
	Name, Doc string
	// Baseline: measured beside the locks for reference, never ranked the
	// best lock.
	Baseline bool
	// BenchOnly: offered by benchmarks' direct path only, not by the
	// counter module's lock=.
	BenchOnly bool
	// Bare: takes no critical-section work (New refuses cs > 0).
	Bare bool
	// New builds the store, doing cs of work per update (see Store).
	New func(cs time.Duration) Store
}

// RegisterStore adds a guard that is not a lock. It is meant to be called
// from init, before any lookup: the counter registers atomic and sharded,
// package bench its own baselines (the counter module's description of
// lock= is written when the module registers, and lists the stores
// registered by then). It panics on an invalid or duplicate name, a name
// that is a lock's, or a nil New.
func RegisterStore(s StoreSpec) {
	if s.New == nil {
		panic("counter: RegisterStore: nil New for " + s.Name)
	}
	if _, err := locks.Lookup(s.Name); err == nil {
		panic("counter: RegisterStore: " + s.Name + " is a lock")
	}
	d := &guardDesc{name: s.Name, doc: s.Doc, baseline: s.Baseline, benchOnly: s.BenchOnly, bare: s.Bare, newStore: s.New}
	stores.MustAdd("counter: RegisterStore", "", s.Name, "/,: \t\n", d)
}

// interned holds the lock and external guards parsed so far, by canonical
// name (external ones prefixed "external:"), so that a name always parses
// to the same Guard.
var interned sync.Map // string -> *guardDesc

func intern(key string, d *guardDesc) Guard {
	v, _ := interned.LoadOrStore(key, d)
	return Guard{v.(*guardDesc)}
}

// ParseGuard resolves a guard name: a lock of package locks, with or
// without a waiting policy ("ticket", "ticket:spin"), broken ones included
// (whether to accept one is the caller's: see [Guard.Broken]), or a
// registered store ("atomic", "sharded", "xsync"). An unknown name is an
// *UnknownGuardError that lists the valid ones.
func ParseGuard(name string) (Guard, error) {
	if d, ok := stores.Lookup(name); ok {
		return Guard{d}, nil
	}
	canonical := locks.Canonical(name)
	ops, err := locks.Lookup(canonical)
	if err != nil {
		return Guard{}, &UnknownGuardError{Name: name}
	}
	return intern(canonical, &guardDesc{name: canonical, doc: ops.Doc, lock: ops}), nil
}

// MustParseGuard is ParseGuard for names known to be valid, as in tests and
// package variables; it panics on an unknown name.
func MustParseGuard(name string) Guard {
	g, err := ParseGuard(name)
	if err != nil {
		panic(err)
	}
	return g
}

// ExternalGuard names a counter outside lockbench for results: a real
// kernel's module driven through its /proc file ("kernel-mutex"). The label
// must be non-empty, without '/', ',' or spaces, which would split a
// benchmark name or a list.
func ExternalGuard(label string) (Guard, error) {
	if err := checkLabel(label); err != nil {
		return Guard{}, err
	}
	return intern("external:"+label, &guardDesc{name: label, doc: "a counter outside lockbench", external: true}), nil
}

func checkLabel(label string) error {
	if label == "" || strings.ContainsAny(label, "/, \t\n") {
		return fmt.Errorf("guard label %q must be non-empty, without '/', ',' or spaces", quote.Short(label))
	}
	return nil
}

// Guards returns every sound guard of the counter module, in the order
// reports show them: the tutorial's mutex first (the column the others are
// compared with), the other locks with their default policies by name, then
// the stores that are not benchmark-only.
func Guards() []Guard {
	out := []Guard{MustParseGuard(DefaultGuard)}
	for _, name := range locks.Names() {
		if name != DefaultGuard {
			out = append(out, MustParseGuard(name))
		}
	}
	for _, d := range stores.All() {
		if !d.benchOnly {
			out = append(out, Guard{d})
		}
	}
	return out
}

// Stores returns every registered guard that is not a lock, benchmark-only
// ones included, by name.
func Stores() []Guard {
	var out []Guard
	for _, d := range stores.All() {
		out = append(out, Guard{d})
	}
	return out
}

// validNames lists what lock= accepts, as an error or a help text says it:
// the sound locks by name, then the stores that are not benchmark-only.
func validNames() []string {
	out := locks.Names()
	for _, d := range stores.All() {
		if !d.benchOnly {
			out = append(out, d.name)
		}
	}
	return out
}

// UnknownGuardError reports a name that is no guard.
type UnknownGuardError struct{ Name string }

func (e *UnknownGuardError) Error() string {
	return fmt.Sprintf("unknown lock %q (valid: %s; a lock may take a waiting policy: ticket:park, mcs:spin...)", quote.Short(e.Name), strings.Join(validNames(), ", "))
}

// errBroken is New's refusal of a broken lock without AllowBroken.
var errBroken = errors.New("a deliberately broken lock needs allow_broken=1 (it is a negative control)")
