package bench

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"strconv"

	"github.com/lockbench/lockbench/counter" // registers the counter module
	"github.com/lockbench/lockbench/kernel"
	"github.com/lockbench/lockbench/locks"
)

func init() { RegisterPath(procPath{}) }

// procPath loads the counter module into a fresh simulated kernel and drives
// /proc/counter through open files, one per goroutine, as a user would:
// Write("I"), Write("D"), and pread at offset 0 for reads.
type procPath struct{}

func (procPath) Name() string { return "proc" }

func (procPath) Attach(c CounterConfig) (Target, error) {
	k, err := loadCounter(c)
	if err != nil {
		return nil, err
	}
	return procTarget{k, c.Guard}, nil
}

type procTarget struct {
	k     *kernel.Kernel
	guard counter.Guard
}

func (t procTarget) NewClient() (Client, error) {
	f, err := t.k.Open("/proc/counter", os.O_RDWR)
	if err != nil {
		return nil, err
	}
	return &procClient{f: f}, nil
}

func (t procTarget) Value() (int64, error) {
	b, err := t.k.ReadFile("/proc/counter")
	if err != nil {
		return 0, err
	}
	return parseValue(b)
}

func (t procTarget) Close() error { return t.k.Rmmod("counter") }

// LockStats reads the counter's class of /proc/lock_stat, typed.
func (t procTarget) LockStats() (locks.StatSnapshot, bool) {
	return t.k.LockStat(t.guard.Name())
}

func (t procTarget) ResetLockStats() { t.k.ClearLockStat() }

// The commands, shared read-only by every client.
var (
	cmdInc = []byte("I")
	cmdDec = []byte("D")
)

type procClient struct {
	f   *kernel.File
	buf [32]byte // room for any int64 and its newline
}

func (c *procClient) Inc(n int) (int, error) { return c.write(cmdInc, n) }

func (c *procClient) Dec(n int) (int, error) { return c.write(cmdDec, n) }

func (c *procClient) write(cmd []byte, n int) (int, error) {
	for i := range n {
		if _, err := c.f.Write(cmd); err != nil {
			return i, err
		}
	}
	return n, nil
}

func (c *procClient) Read(n int) (int, error) {
	for i := range n {
		if err := readValueAt(c.f, c.buf[:]); err != nil {
			return i, err
		}
	}
	return n, nil
}

// readValueAt reads the counter's value at offset 0, as `cat` does, and
// parses it; buf must hold any int64 and its newline.
func readValueAt(r io.ReaderAt, buf []byte) error {
	m, err := r.ReadAt(buf, 0)
	if err != nil && err != io.EOF {
		return err
	}
	_, err = parseValue(buf[:m])
	return err
}

func (c *procClient) Close() error { return c.f.Close() }

var errNotDecimal = errors.New("bench: counter value is not a decimal number")

// parseValue parses what reading the counter returns: a decimal int64 and a
// newline. (strconv.ParseInt on string(b) does not allocate when it
// succeeds: the conversion does not escape.)
func parseValue(b []byte) (int64, error) {
	v, err := strconv.ParseInt(string(bytes.TrimSuffix(b, []byte("\n"))), 10, 64)
	if err != nil {
		return 0, fmt.Errorf("%w: %q", errNotDecimal, b)
	}
	return v, nil
}
