package bench

import (
	"fmt"
	"strings"
	"time"

	"github.com/lockbench/lockbench/counter"
	"github.com/lockbench/lockbench/internal/registry"
	"github.com/lockbench/lockbench/locks"
)

// A Path is a way for the load to reach a counter: the Go methods, a proc
// file of the simulated kernel, a FUSE mount of it, or any real file.
type Path interface {
	// Name is the path= key of benchmark names.
	Name() string
	// Attach sets up a fresh counter, at zero, as c describes.
	Attach(c CounterConfig) (Target, error)
}

// CounterConfig describes the counter a trial attaches to.
type CounterConfig struct {
	Guard       counter.Guard // the guard
	CS          time.Duration // busy work inside each critical section
	AllowBroken bool          // accept a deliberately broken lock (busted)
	Stats       bool          // keep lock statistics (see LockStatTarget)
	Target      string        // the file to drive, for path=file
}

// LockStatTarget is a Target that keeps its lock's statistics when its
// CounterConfig asks for them (the direct and proc paths): the engine
// clears them as the load starts and reads them when it stops.
type LockStatTarget interface {
	Target
	LockStats() (locks.StatSnapshot, bool)
	ResetLockStats()
}

// errNoStats refuses statistics on a path that cannot read them.
func errNoStats(path string) error {
	return fmt.Errorf("bench: path=%s keeps no lock statistics (they are read in-process: use path=direct or path=proc)", path)
}

// Target is one attached counter.
type Target interface {
	// NewClient returns a client for one goroutine (e.g. its own open file).
	NewClient() (Client, error)
	// Value reads the counter once the load has stopped.
	Value() (int64, error)
	// Close detaches (e.g. rmmod). Clients are closed first.
	Close() error
}

// Client is one goroutine's handle on the counter. Each method performs n
// operations, each one separate (n writes of "I", not one write of n), and
// returns how many succeeded; looping inside the client keeps the engine's
// per-operation cost out of the measurement. The operations run on the hot
// path and must not allocate.
type Client interface {
	Inc(n int) (int, error)  // n times `echo I > /proc/counter`
	Dec(n int) (int, error)  // n times `echo D > /proc/counter`
	Read(n int) (int, error) // n times `cat /proc/counter`, each value parsed
	Close() error
}

var pathRegistry registry.Registry[Path]

// RegisterPath makes a path available by name. It panics on a duplicate.
func RegisterPath(p Path) {
	pathRegistry.MustAdd("bench: RegisterPath", "", p.Name(), "/, \t", p)
}

// LookupPath returns the path registered under name; an unknown name is an
// error listing the valid ones.
func LookupPath(name string) (Path, error) {
	p, ok := pathRegistry.Lookup(name)
	if !ok {
		return nil, fmt.Errorf("bench: unknown path %q (valid: %s)", name, strings.Join(PathNames(), ", "))
	}
	return p, nil
}

// PathNames returns the registered paths' names, sorted.
func PathNames() []string { return pathRegistry.Names() }
