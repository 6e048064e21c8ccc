package kernel_test

import (
	"bufio"
	"errors"
	"io"
	"io/fs"
	"os"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"testing/iotest"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/lockbench/lockbench/kernel"
)

func showString(s string) kernel.ProcOps {
	return kernel.ProcOps{Show: func(buf []byte) []byte { return append(buf, s...) }}
}

// requireErrno checks that err is, or wraps, the errno, and is a *fs.PathError
// naming path, as os's errors do.
func requireErrno(t *testing.T, err error, errno syscall.Errno, path string) {
	t.Helper()
	require.Error(t, err)
	assert.ErrorIs(t, err, errno, "%v", err)
	var pe *fs.PathError
	if assert.ErrorAs(t, err, &pe) {
		assert.Equal(t, path, pe.Path)
	}
}

// openEntry creates /proc/name showing text in a new kernel and opens it
// for reading; the file is closed when the test ends.
func openEntry(t *testing.T, name, text string) (*kernel.Kernel, *kernel.ProcEntry, *kernel.File) {
	t.Helper()
	k := kernel.New()
	e, err := k.ProcCreate(name, 0o444, showString(text))
	require.NoError(t, err)
	f, err := k.Open("/proc/"+name, os.O_RDONLY)
	require.NoError(t, err)
	t.Cleanup(func() { f.Close() })
	return k, e, f
}

func TestProcRead(t *testing.T) {
	_, _, f := openEntry(t, "greeting", "Hello world!\n")

	b, err := io.ReadAll(f)
	require.NoError(t, err)
	assert.Equal(t, "Hello world!\n", string(b))

	n, err := f.Read(make([]byte, 8))
	assert.Equal(t, 0, n)
	assert.Equal(t, io.EOF, err, "a read at the end returns io.EOF")

	_, err = f.Seek(6, io.SeekStart)
	require.NoError(t, err)
	b, err = io.ReadAll(f)
	require.NoError(t, err)
	assert.Equal(t, "world!\n", string(b), "reads honour the offset")

	pos, err := f.Seek(-2, io.SeekCurrent)
	require.NoError(t, err)
	assert.Equal(t, int64(11), pos)

	_, err = f.Seek(-1, io.SeekStart)
	requireErrno(t, err, syscall.EINVAL, "/proc/greeting")
	_, err = f.Seek(0, 42)
	requireErrno(t, err, syscall.EINVAL, "/proc/greeting")
}

func TestProcReadOneByteAtATime(t *testing.T) {
	_, _, f := openEntry(t, "greeting", "Hello world!\n")

	got, err := io.ReadAll(iotest.OneByteReader(f))
	require.NoError(t, err)
	assert.Equal(t, "Hello world!\n", string(got))
}

// TestShowSnapshot checks the seq_file rule: a read at offset 0 snapshots the
// content, later offsets come from that snapshot, a new read at 0 sees the
// new value.
func TestShowSnapshot(t *testing.T) {
	k := kernel.New()
	var value atomic.Value
	value.Store("1234\n")
	_, err := k.ProcCreate("value", 0o444, kernel.ProcOps{Show: func(buf []byte) []byte {
		return append(buf, value.Load().(string)...)
	}})
	require.NoError(t, err)
	f, err := k.Open("/proc/value", os.O_RDONLY)
	require.NoError(t, err)
	defer f.Close()

	two := make([]byte, 2)
	_, err = f.Read(two)
	require.NoError(t, err)
	value.Store("98\n")
	rest, err := io.ReadAll(f)
	require.NoError(t, err)
	assert.Equal(t, "1234\n", string(two)+string(rest), "one consistent value, not a torn one")

	buf := make([]byte, 16)
	n, err := f.ReadAt(buf, 0)
	assert.Equal(t, io.EOF, err, "ReadAt short of len(p) returns io.EOF")
	assert.Equal(t, "98\n", string(buf[:n]), "pread at 0 re-reads")

	n, err = f.ReadAt(buf[:1], 1)
	require.NoError(t, err)
	assert.Equal(t, "8", string(buf[:n]))
	n, err = f.ReadAt(buf, 100)
	assert.Equal(t, 0, n)
	assert.Equal(t, io.EOF, err)
	_, err = f.ReadAt(buf, -1)
	requireErrno(t, err, syscall.EINVAL, "/proc/value")
}

func TestProcRawReadHandler(t *testing.T) {
	k := kernel.New()
	data := []byte("raw\n")
	_, err := k.ProcCreate("raw", 0o444, kernel.ProcOps{
		Read: func(_ *kernel.File, buf []byte, off *int64) (int, error) {
			return kernel.SimpleReadFromBuffer(buf, off, data)
		},
	})
	require.NoError(t, err)
	b, err := k.ReadFile("/proc/raw")
	require.NoError(t, err)
	assert.Equal(t, "raw\n", string(b))

	f, err := k.Open("/proc/raw", os.O_RDONLY)
	require.NoError(t, err)
	defer f.Close()
	line, err := bufio.NewReader(f).ReadString('\n')
	require.NoError(t, err)
	assert.Equal(t, "raw\n", line, "a Python-style readline works")
}

func TestProcWrite(t *testing.T) {
	k := kernel.New()
	var got []string
	var offs []int64
	_, err := k.ProcCreate("sink", 0o222, kernel.ProcOps{
		Write: func(_ *kernel.File, buf []byte, off *int64) (int, error) {
			if string(buf) == "bad" {
				return 0, syscall.EINVAL
			}
			got = append(got, string(buf))
			offs = append(offs, *off)
			*off += int64(len(buf))
			return len(buf), nil
		},
	})
	require.NoError(t, err)

	f, err := k.Open("/proc/sink", os.O_WRONLY|os.O_TRUNC)
	require.NoError(t, err)
	n, err := f.Write([]byte("abc"))
	require.NoError(t, err)
	assert.Equal(t, 3, n)
	_, err = f.WriteAt([]byte("xy"), 10)
	require.NoError(t, err)
	_, err = f.Write([]byte("d"))
	require.NoError(t, err)
	n, err = f.Write(nil)
	assert.NoError(t, err)
	assert.Zero(t, n, "an empty write does not reach the handler")

	_, err = f.Write([]byte("bad"))
	requireErrno(t, err, syscall.EINVAL, "/proc/sink")
	_, err = f.WriteAt([]byte("a"), -1)
	requireErrno(t, err, syscall.EINVAL, "/proc/sink")

	assert.Equal(t, []string{"abc", "xy", "d"}, got)
	assert.Equal(t, []int64{0, 10, 3}, offs, "WriteAt does not move the position")

	_, err = f.Read(make([]byte, 1))
	requireErrno(t, err, syscall.EBADF, "/proc/sink")
	require.NoError(t, f.Close())

	require.NoError(t, k.WriteFile("/proc/sink", []byte("e")))
	requireErrno(t, k.WriteFile("/proc/sink", []byte("bad")), syscall.EINVAL, "/proc/sink")
}

func TestProcOpenErrors(t *testing.T) {
	k := kernel.New()
	_, err := k.ProcCreate("ro", 0o444, showString("x"))
	require.NoError(t, err)
	_, err = k.ProcCreate("wo", 0o222, kernel.ProcOps{Write: func(*kernel.File, []byte, *int64) (int, error) { return 0, nil }})
	require.NoError(t, err)

	for _, tc := range []struct {
		path  string
		flag  int
		errno syscall.Errno
	}{
		{"/proc/missing", os.O_RDONLY, syscall.ENOENT},
		{"ro", os.O_RDONLY, syscall.ENOENT},
		{"/sys/ro", os.O_RDONLY, syscall.ENOENT},
		{"/proc/ro", os.O_WRONLY, syscall.EACCES},
		{"/proc/ro", os.O_RDWR, syscall.EACCES},
		{"/proc/wo", os.O_RDONLY, syscall.EACCES},
		{"/proc/ro", os.O_WRONLY | os.O_RDWR, syscall.EINVAL},
	} {
		_, err := k.Open(tc.path, tc.flag)
		requireErrno(t, err, tc.errno, tc.path)
	}

	err = k.WriteFile("/proc/ro", []byte("x"))
	requireErrno(t, err, syscall.EACCES, "/proc/ro")
	_, err = k.ReadFile("/proc/nope")
	requireErrno(t, err, syscall.ENOENT, "/proc/nope")
}

func TestProcCreateErrors(t *testing.T) {
	k := kernel.New()
	write := func(*kernel.File, []byte, *int64) (int, error) { return 0, nil }
	read := func(*kernel.File, []byte, *int64) (int, error) { return 0, nil }
	show := func(b []byte) []byte { return b }

	_, err := k.ProcCreate("modules", 0o444, showString("x"))
	requireErrno(t, err, syscall.EEXIST, "/proc/modules")

	for name, tc := range map[string]struct {
		name string
		mode fs.FileMode
		ops  kernel.ProcOps
	}{
		"empty name":           {"", 0o444, kernel.ProcOps{Show: show}},
		"slash in name":        {"a/b", 0o444, kernel.ProcOps{Show: show}},
		"dot dot":              {"..", 0o444, kernel.ProcOps{Show: show}},
		"exec bit":             {"x", 0o555, kernel.ProcOps{Show: show}},
		"no permissions":       {"x", 0, kernel.ProcOps{Show: show}},
		"readable, no reader":  {"x", 0o444, kernel.ProcOps{}},
		"both Read and Show":   {"x", 0o444, kernel.ProcOps{Read: read, Show: show}},
		"writable, no writer":  {"x", 0o666, kernel.ProcOps{Show: show}},
		"writer on read-only":  {"x", 0o444, kernel.ProcOps{Show: show, Write: write}},
		"reader on write-only": {"x", 0o222, kernel.ProcOps{Show: show, Write: write}},
	} {
		_, err := k.ProcCreate(tc.name, tc.mode, tc.ops)
		assert.ErrorIs(t, err, syscall.EINVAL, name)
	}
	assert.Equal(t, []kernel.ProcInfo{{Name: "kmsg", Mode: 0o444}, {Name: "lock_stat", Mode: 0o600}, {Name: "modules", Mode: 0o444}}, k.ProcList(), "failed creates leave nothing")
}

func TestFileAfterClose(t *testing.T) {
	k := kernel.New()
	f, err := k.Open("/proc/modules", os.O_RDONLY)
	require.NoError(t, err)
	require.NoError(t, f.Close())
	requireErrno(t, f.Close(), syscall.EBADF, "/proc/modules")
	_, err = f.Read(make([]byte, 4))
	requireErrno(t, err, syscall.EBADF, "/proc/modules")
	_, err = f.Seek(0, io.SeekStart)
	requireErrno(t, err, syscall.EBADF, "/proc/modules")
}

func TestRemoveEntry(t *testing.T) {
	k, e, f := openEntry(t, "gone", "x\n")

	e.Remove()
	e.Remove() // idempotent

	_, err := f.Read(make([]byte, 4))
	requireErrno(t, err, syscall.EIO, "/proc/gone")
	_, err = f.ReadAt(make([]byte, 4), 0)
	requireErrno(t, err, syscall.EIO, "/proc/gone")
	assert.NoError(t, f.Close(), "closing a file of a removed entry succeeds")
	_, err = k.Open("/proc/gone", os.O_RDONLY)
	requireErrno(t, err, syscall.ENOENT, "/proc/gone")

	_, err = k.ProcCreate("gone", 0o444, showString("again\n"))
	require.NoError(t, err, "the name is free again")
	b, err := k.ReadFile("/proc/gone")
	require.NoError(t, err)
	assert.Equal(t, "again\n", string(b))
}

// TestRemoveWaitsForHandlers removes an entry while a write handler is in
// flight: Remove must not return before the handler has.
func TestRemoveWaitsForHandlers(t *testing.T) {
	k := kernel.New()
	entered := make(chan struct{})
	release := make(chan struct{})
	var finished atomic.Bool
	e, err := k.ProcCreate("slow", 0o222, kernel.ProcOps{
		Write: func(_ *kernel.File, buf []byte, _ *int64) (int, error) {
			close(entered)
			<-release
			finished.Store(true)
			return len(buf), nil
		},
	})
	require.NoError(t, err)
	f, err := k.Open("/proc/slow", os.O_WRONLY)
	require.NoError(t, err)

	var wg sync.WaitGroup
	var writeErr error
	wg.Go(func() { _, writeErr = f.Write([]byte("x")) })
	<-entered

	removed := make(chan struct{})
	go func() { e.Remove(); close(removed) }()
	// Wait until Remove has unlinked the entry, so it is past its first step.
	for {
		_, err := k.Open("/proc/slow", os.O_WRONLY)
		if errors.Is(err, syscall.ENOENT) {
			break
		}
	}
	close(release)
	<-removed
	assert.True(t, finished.Load(), "Remove returned while a handler was running")
	wg.Wait()
	assert.NoError(t, writeErr, "the write in flight completes")
	_, err = f.Write([]byte("x"))
	requireErrno(t, err, syscall.EIO, "/proc/slow")
}

func TestSimpleReadFromBuffer(t *testing.T) {
	data := []byte("abc")
	buf := make([]byte, 2)
	off := int64(0)
	n, err := kernel.SimpleReadFromBuffer(buf, &off, data)
	assert.NoError(t, err)
	assert.Equal(t, 2, n)
	assert.Equal(t, int64(2), off)
	n, _ = kernel.SimpleReadFromBuffer(buf, &off, data)
	assert.Equal(t, 1, n)
	n, _ = kernel.SimpleReadFromBuffer(buf, &off, data)
	assert.Equal(t, 0, n)
	off = -1
	_, err = kernel.SimpleReadFromBuffer(buf, &off, data)
	assert.ErrorIs(t, err, syscall.EINVAL)
}

// TestOpenAsLinuxAnswers: a trailing slash on a file is ENOTDIR, and
// O_CREAT|O_EXCL on an existing entry EEXIST, in-process as through FUSE and
// on Linux (issue 11, defect 9).
func TestOpenAsLinuxAnswers(t *testing.T) {
	k := kernel.New()
	_, err := k.ProcCreate("counter", 0o444, kernel.ProcOps{Show: func(b []byte) []byte { return append(b, "0\n"...) }})
	require.NoError(t, err)
	_, err = k.Open("/proc/counter/", os.O_RDONLY)
	assert.ErrorIs(t, err, syscall.ENOTDIR)
	_, err = k.Open("/proc/counter", os.O_RDONLY|os.O_CREATE|os.O_EXCL)
	assert.ErrorIs(t, err, syscall.EEXIST)
	f, err := k.Open("/proc/counter", os.O_RDONLY|os.O_CREATE)
	require.NoError(t, err, "O_CREAT alone opens the existing entry")
	require.NoError(t, f.Close())
	_, err = k.Open("/proc/nothing", os.O_WRONLY|os.O_CREATE|os.O_EXCL)
	assert.ErrorIs(t, err, syscall.ENOENT)
}
