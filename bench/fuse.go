package bench

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"github.com/lockbench/lockbench/counter"
	"github.com/lockbench/lockbench/internal/fusechild"
	"github.com/lockbench/lockbench/kernel"
	"github.com/lockbench/lockbench/kernel/fusefs"
)

func init() {
	RegisterPath(fusePath{})
	RegisterPath(fusePath{openPerOp: true})
	RegisterPath(filePath{})
}

// fusePath mounts a private instance of the simulated /proc and drives its
// counter file through real system calls: "fuse" gives each goroutine its
// own file descriptor and writes with pwrite; "fuse-open" opens, writes and
// closes the file for every operation, as `echo I > counter` in a shell
// does. The file system is served by a child process (internal/fusechild),
// never by the process doing the I/O: killed mid-request, a process that
// served its own mount would wait forever for its own answer.
type fusePath struct{ openPerOp bool }

func (p fusePath) Name() string {
	if p.openPerOp {
		return "fuse-open"
	}
	return "fuse"
}

func (p fusePath) Attach(c CounterConfig) (Target, error) {
	if c.Stats {
		return nil, errNoStats(p.Name())
	}
	if err := fusefs.Available(); err != nil {
		return nil, fmt.Errorf("bench: path=%s mounts a file system: %w", p.Name(), err)
	}
	m, err := fusechild.Start(fusechild.Module{Name: "counter", Params: c.insmod()})
	if err != nil {
		return nil, err
	}
	return &fuseTarget{fileTarget: fileTarget{path: filepath.Join(m.Dir, "counter"), openPerOp: p.openPerOp}, mount: m}, nil
}

type fuseTarget struct {
	fileTarget
	mount *fusechild.Mount
}

func (t *fuseTarget) Close() error { return t.mount.Close() }

// filePath drives any existing file that takes "I" and "D" writes and
// reads back a decimal value: a lockbench mount, or a real kernel's
// /proc/counter. The lock= of its results is only a label.
type filePath struct{}

func (filePath) Name() string { return "file" }

func (filePath) Attach(c CounterConfig) (Target, error) {
	if c.Stats {
		return nil, errNoStats("file")
	}
	if c.Target == "" {
		return nil, errors.New("bench: path=file needs a target file (lockbench run -path file -target FILE)")
	}
	t := &fileTarget{path: c.Target}
	start, err := t.read()
	if err != nil {
		return nil, err
	}
	t.start = start
	return t, nil
}

// fileTarget is a counter file; Value is relative to the value it had when
// the trial attached, so the correctness check holds for a counter that did
// not start at 0.
type fileTarget struct {
	path      string
	start     int64
	openPerOp bool
}

func (t *fileTarget) read() (int64, error) {
	b, err := os.ReadFile(t.path)
	if err != nil {
		return 0, err
	}
	return parseValue(b)
}

func (t *fileTarget) Value() (int64, error) {
	v, err := t.read()
	return v - t.start, err
}

func (t *fileTarget) Close() error { return nil }

func (t *fileTarget) NewClient() (Client, error) {
	if t.openPerOp {
		return &openPerOpClient{path: t.path}, nil
	}
	f, err := os.OpenFile(t.path, os.O_RDWR, 0)
	if err != nil {
		return nil, err
	}
	return &fdClient{f: f}, nil
}

// fdClient holds one file descriptor and uses pwrite and pread at offset 0.
type fdClient struct {
	f   *os.File
	buf [32]byte
}

func (c *fdClient) Inc(n int) (int, error) { return c.write(cmdInc, n) }
func (c *fdClient) Dec(n int) (int, error) { return c.write(cmdDec, n) }

func (c *fdClient) write(cmd []byte, n int) (int, error) {
	for i := range n {
		if _, err := c.f.WriteAt(cmd, 0); err != nil {
			return i, err
		}
	}
	return n, nil
}

func (c *fdClient) Read(n int) (int, error) {
	for i := range n {
		if err := readValueAt(c.f, c.buf[:]); err != nil {
			return i, err
		}
	}
	return n, nil
}

func (c *fdClient) Close() error { return c.f.Close() }

// openPerOpClient opens the file for every operation, as a shell does.
type openPerOpClient struct {
	path string
	buf  [32]byte
}

func (c *openPerOpClient) Inc(n int) (int, error) { return c.write(cmdInc, n) }
func (c *openPerOpClient) Dec(n int) (int, error) { return c.write(cmdDec, n) }

func (c *openPerOpClient) write(cmd []byte, n int) (int, error) {
	for i := range n {
		f, err := os.OpenFile(c.path, os.O_WRONLY|os.O_TRUNC, 0)
		if err != nil {
			return i, err
		}
		_, err = f.Write(cmd)
		if cerr := f.Close(); err == nil {
			err = cerr
		}
		if err != nil {
			return i, err
		}
	}
	return n, nil
}

func (c *openPerOpClient) Read(n int) (int, error) {
	for i := range n {
		f, err := os.Open(c.path)
		if err != nil {
			return i, err
		}
		err = readValueAt(f, c.buf[:])
		f.Close()
		if err != nil {
			return i, err
		}
	}
	return n, nil
}

func (c *openPerOpClient) Close() error { return nil }

// loadCounter boots a kernel with the counter module as c describes.
func loadCounter(c CounterConfig) (*kernel.Kernel, error) {
	k := kernel.New()
	if err := k.Insmod("counter", c.insmod()...); err != nil {
		return nil, err
	}
	return k, nil
}

// insmod are the counter module's parameters for c, as the module writes
// them.
func (c CounterConfig) insmod() []string {
	return counter.Params{Guard: c.Guard, CS: c.CS, AllowBroken: c.AllowBroken, Stats: c.Stats}.Insmod()
}
