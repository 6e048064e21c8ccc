package counter

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/lockbench/lockbench/kernel"
	"github.com/lockbench/lockbench/locks"
)

func init() {
	kernel.Register(kernel.Module{
		Name:        "counter",
		Description: "the tutorial's counter: echo I or D > /proc/counter increments or decrements a guarded counter",
		Params: []kernel.Param{
			{
				Name:    "lock",
				Type:    kernel.ParamString,
				Default: DefaultGuard,
				Desc:    "guard of the counter: " + strings.Join(validNames(), ", "),
				Parse:   parseModuleGuard,
			},
			{
				Name:    "verbose",
				Type:    kernel.ParamBool,
				Default: "0",
				Desc:    "printk every operation at KERN_DEBUG",
			},
			{
				Name:    "cs",
				Type:    kernel.ParamString,
				Default: "0",
				Desc:    "busy work inside every critical section, as a Go duration (100ns)",
				Parse:   parseCriticalSection,
			},
			{
				Name:    "stats",
				Type:    kernel.ParamBool,
				Default: "0",
				Desc:    "keep lock statistics, shown in /proc/lock_stat under the guard's name (CONFIG_LOCK_STAT)",
			},
			{
				Name:    "allow_broken",
				Type:    kernel.ParamBool,
				Default: "0",
				Desc:    "accept lock=busted, a negative control that loses updates on purpose",
			},
		},
		Init: load,
	})
}

// MaxCriticalSection bounds the cs= parameter (and lockbench's -cs): busy
// work that cannot be interrupted, done under the guard on every operation
// and on rmmod's final read. A millisecond is ten thousand times the
// standard matrix's 100ns; an hour would hold rmmod, and the module table's
// lock, for an hour.
const MaxCriticalSection = time.Millisecond

func parseCriticalSection(value string) (any, error) {
	d, err := time.ParseDuration(value)
	if err != nil || d < 0 {
		return nil, errors.New("not a non-negative duration such as 100ns")
	}
	if d > MaxCriticalSection {
		return nil, fmt.Errorf("%v is longer than the most, %v", d, MaxCriticalSection)
	}
	return d, nil
}

// parseModuleGuard parses lock=: any guard but the benchmark-only ones.
// A broken lock parses; load refuses it without allow_broken.
func parseModuleGuard(name string) (any, error) {
	g, err := ParseGuard(name)
	if err == nil && g.BenchOnly() {
		err = &UnknownGuardError{Name: name}
	}
	return g, err
}

// Params are the counter module's parameters, typed. The module owns their
// insmod syntax: [Params.Insmod] writes it, and insmod parses it back.
type Params struct {
	Guard       Guard         // lock=; the zero Guard leaves the default, mutex
	CS          time.Duration // cs=
	Verbose     bool          // verbose=
	Stats       bool          // stats=
	AllowBroken bool          // allow_broken=
}

// Insmod returns p as insmod's key=value words, leaving out the defaults.
// An external guard is a label, not a guard the module can take (written
// out, "mutex" would load a mutex): it panics.
func (p Params) Insmod() []string {
	if p.Guard.External() {
		panic("counter: Params.Insmod: " + p.Guard.Name() + " labels a counter outside lockbench; the module cannot take it")
	}
	var words []string
	if p.Guard != (Guard{}) {
		words = append(words, "lock="+p.Guard.Name())
	}
	if p.CS != 0 {
		words = append(words, "cs="+p.CS.String())
	}
	if p.Verbose {
		words = append(words, "verbose=1")
	}
	if p.Stats {
		words = append(words, "stats=1")
	}
	if p.AllowBroken {
		words = append(words, "allow_broken=1")
	}
	return words
}

// load is the module's init: it creates /proc/counter (0666) and returns the
// exit function.
func load(m *kernel.Instance) (exit func(), err error) {
	guard := m.Value("lock").(Guard)
	lock := m.Param("lock") // dmesg names the guard as insmod was given it
	opts := []Option{WithCriticalSection(m.Value("cs").(time.Duration))}
	if m.ParamBool("allow_broken") {
		opts = append(opts, AllowBroken())
	}
	stats := m.ParamBool("stats")
	if stats {
		opts = append(opts, WithStats())
	}
	c, err := New(guard, opts...)
	if err != nil {
		m.Printk(kernel.KernErr, "lock=%s refused: %s", lock, strings.TrimPrefix(err.Error(), "counter: "))
		return nil, errors.Join(syscall.EINVAL, err)
	}
	if _, ok := c.LockStats(); stats && ok {
		err := m.RegisterLockClass(kernel.LockClass{
			Name:     guard.Name(),
			Snapshot: func() locks.StatSnapshot { s, _ := c.LockStats(); return s },
			Reset:    c.ResetLockStats,
		})
		if err != nil {
			return nil, err
		}
	} else if stats {
		m.Printk(kernel.KernWarning, "lock=%s has no lock: stats=1 keeps no statistics", lock)
	}
	verbose := m.ParamBool("verbose")

	entry, err := m.ProcCreate("counter", 0o666, kernel.ProcOps{
		Show: func(buf []byte) []byte {
			buf = strconv.AppendInt(buf, c.Value(), 10)
			return append(buf, '\n')
		},
		Write: func(_ *kernel.File, buf []byte, _ *int64) (int, error) {
			delta, ok := parseCommand(buf)
			if !ok {
				if verbose {
					m.Printk(kernel.KernDebug, "rejected write %q", buf)
				}
				return 0, syscall.EINVAL
			}
			c.Add(delta)
			if verbose {
				m.Printk(kernel.KernDebug, "%c, value now %d", buf[0], c.Value())
			}
			return len(buf), nil
		},
	})
	if err != nil {
		m.Printk(kernel.KernErr, "failed to create proc entry: %v", err)
		return nil, err
	}
	m.Printk(kernel.KernInfo, "loaded, lock=%s", lock)

	return func() {
		entry.Remove() // waits for writes in flight, so the value below is final
		m.Printk(kernel.KernInfo, "unloaded, lock=%s, final value %d", lock, c.Value())
	}, nil
}

// parseCommand parses one write to /proc/counter: "I" or "D", optionally
// followed by one newline (what echo adds). It returns +1 or -1.
func parseCommand(p []byte) (delta int64, ok bool) {
	if len(p) == 2 && p[1] == '\n' {
		p = p[:1]
	}
	if len(p) != 1 {
		return 0, false
	}
	switch p[0] {
	case 'I':
		return 1, true
	case 'D':
		return -1, true
	}
	return 0, false
}
