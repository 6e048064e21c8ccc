package counter

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/lockbench/lockbench/kernel"
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
				Desc:    "guard of the counter: " + strings.Join(Guards(), ", "),
				Check:   func(name string) error { return CheckGuard(name, true) },
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
				Check:   checkCriticalSection,
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

func checkCriticalSection(value string) error {
	d, err := time.ParseDuration(value)
	if err != nil || d < 0 {
		return errors.New("not a non-negative duration such as 100ns")
	}
	if d > MaxCriticalSection {
		return fmt.Errorf("%v is longer than the most, %v", d, MaxCriticalSection)
	}
	return nil
}

// load is the module's init: it creates /proc/counter (0666) and returns the
// exit function.
func load(m *kernel.Instance) (exit func(), err error) {
	cs, _ := time.ParseDuration(m.Param("cs")) // checked by checkCriticalSection
	opts := []Option{WithCriticalSection(cs)}
	if m.ParamBool("allow_broken") {
		opts = append(opts, AllowBroken())
	}
	c, err := New(m.Param("lock"), opts...)
	if err != nil {
		m.Printk(kernel.KernErr, "lock=%s: %v (a broken lock needs allow_broken=1)", m.Param("lock"), err)
		return nil, errors.Join(syscall.EINVAL, err)
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
	m.Printk(kernel.KernInfo, "loaded, lock=%s", c.Guard())

	return func() {
		entry.Remove() // waits for writes in flight, so the value below is final
		m.Printk(kernel.KernInfo, "unloaded, lock=%s, final value %d", c.Guard(), c.Value())
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
