// Package conformance is one sequence of operations on the counter and
// hello modules' /proc files, run against a real kernel (in the qemu guest)
// and against the simulated one (in-process and through FUSE). It prints one
// line per step with the result or the errno, so that the real kernel's
// answers are the oracle for the simulated kernel's: kmod/conformance.golden
// holds the real kernel's, and lockbench's tests assert the simulated
// kernel prints the same.
//
// It expects counter loaded with value 0 and hello loaded.
package conformance

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"syscall"
	"time"

	"golang.org/x/sys/unix"
)

// File is what the sequence needs of an open file: *os.File and
// *kernel.File both are.
type File interface {
	io.Reader
	io.Writer
	io.ReaderAt
	io.Closer
}

// System opens /proc files, changes the directory's names and the files'
// attributes, and unloads the counter module. Names are relative to the
// directory: "counter", "helloworlddriver".
type System interface {
	Open(name string, flag int) (File, error)
	Remove(name string) error                  // unlink(2)
	Rename(from, to string) error              // rename(2)
	Mkdir(name string) error                   // mkdir(2), mode 0755
	Chmod(name string, mode os.FileMode) error // chmod(2)
	Chown(name string, uid, gid int) error     // chown(2)
	Touch(name string, t time.Time) error      // utimensat(2): both times to t; the zero time: to now
	RmmodCounter() error
}

// Dir is a System on a directory of real files (/proc, or a mount), with
// rmmod left to a function.
type Dir struct {
	Path  string
	Rmmod func() error
}

var _ System = Dir{}

func (d Dir) path(name string) string { return filepath.Join(d.Path, name) }

func (d Dir) Open(name string, flag int) (File, error) {
	f, err := os.OpenFile(d.path(name), flag, 0o644)
	if err != nil {
		return nil, err
	}
	return f, nil
}

func (d Dir) Remove(name string) error     { return syscall.Unlink(d.path(name)) }
func (d Dir) Rename(from, to string) error { return syscall.Rename(d.path(from), d.path(to)) }
func (d Dir) Mkdir(name string) error      { return syscall.Mkdir(d.path(name), 0o755) }
func (d Dir) Chmod(name string, mode os.FileMode) error {
	return syscall.Chmod(d.path(name), uint32(mode))
}
func (d Dir) Chown(name string, uid, gid int) error { return syscall.Chown(d.path(name), uid, gid) }
func (d Dir) RmmodCounter() error                   { return d.Rmmod() }

func (d Dir) Touch(name string, t time.Time) error {
	ts := []unix.Timespec{{Nsec: unix.UTIME_NOW}, {Nsec: unix.UTIME_NOW}}
	if !t.IsZero() {
		ts[0], ts[1] = unix.NsecToTimespec(t.UnixNano()), unix.NsecToTimespec(t.UnixNano())
	}
	return unix.UtimesNanoAt(unix.AT_FDCWD, d.path(name), ts, 0)
}

// Run runs the sequence against sys, writing one line per step to w.
func Run(w io.Writer, sys System) error {
	step := func(what string, result string) { fmt.Fprintf(w, "%s: %s\n", what, result) }
	write := func(what, data string) {
		f, err := sys.Open("counter", os.O_WRONLY|os.O_TRUNC)
		if err != nil {
			step(what, errName(err))
			return
		}
		defer f.Close()
		_, err = f.Write([]byte(data))
		step(what, errName(err))
	}
	read := func(what, name string, chunk int) {
		f, err := sys.Open(name, os.O_RDONLY)
		if err != nil {
			step(what, errName(err))
			return
		}
		defer f.Close()
		var got []byte
		buf := make([]byte, chunk)
		for {
			n, err := f.Read(buf)
			got = append(got, buf[:n]...)
			if err == io.EOF || (err == nil && n == 0) {
				break
			}
			if err != nil {
				step(what, errName(err))
				return
			}
		}
		step(what, strconv.Quote(string(got)))
	}

	write(`write "I\n"`, "I\n")
	write(`write "I"`, "I")
	write(`write "D\n"`, "D\n")
	write(`write "X\n"`, "X\n")
	write(`write "II"`, "II")

	// The directory and its files are the modules' to make and remove:
	// nothing a user does to names or attributes may change them, and
	// every refusal has its errno.
	step("unlink counter", errName(sys.Remove("counter")))
	step("rename helloworlddriver to a new name", errName(sys.Rename("helloworlddriver", "hello2")))
	step("rename to an existing name", errName(sys.Rename("helloworlddriver", "counter")))
	step("unlink a missing name", errName(sys.Remove("nonesuch")))
	if f, err := sys.Open("newfile", os.O_WRONLY|os.O_CREATE|os.O_EXCL); err == nil {
		f.Close()
		step("create newfile", "ok")
	} else {
		step("create newfile", errName(err))
	}
	step("mkdir newdir", errName(sys.Mkdir("newdir")))
	step("chmod counter 0600", errName(sys.Chmod("counter", 0o600)))
	step("chown counter 65534:65534", errName(sys.Chown("counter", 65534, 65534)))
	step("touch counter to 2001-09-09", errName(sys.Touch("counter", time.Unix(1_000_000_000, 0))))
	step("touch counter to now", errName(sys.Touch("counter", time.Time{})))
	step("touch helloworlddriver to now", errName(sys.Touch("helloworlddriver", time.Time{})))
	read("read counter", "counter", 4096)
	read("read counter 1 byte at a time", "counter", 1)
	read("read helloworlddriver", "helloworlddriver", 4096)
	read("read helloworlddriver 1 byte at a time", "helloworlddriver", 1)

	f, err := sys.Open("counter", os.O_RDWR)
	if err != nil {
		return fmt.Errorf("conformance: open counter: %w", err)
	}
	buf := make([]byte, 64)
	pread := func(what string) {
		n, err := f.ReadAt(buf, 0)
		if err != nil && err != io.EOF {
			step(what, errName(err))
			return
		}
		step(what, strconv.Quote(string(buf[:n])))
	}
	pread("pread counter at 0")
	_, err = f.Write([]byte("I"))
	step(`write "I" on the open file`, errName(err))
	pread("pread counter at 0 again")

	g, err := sys.Open("helloworlddriver", os.O_WRONLY)
	if err == nil {
		g.Close()
	}
	step("open helloworlddriver for writing", errName(err))

	rmmodErr := sys.RmmodCounter()
	step("rmmod counter with the file open", errName(rmmodErr))
	_, err = f.Write([]byte("I"))
	step(`write "I" after rmmod`, errName(err))
	_, err = f.ReadAt(buf, 0)
	step("pread after rmmod", errName(err))
	step("close after rmmod", errName(f.Close()))
	_, err = sys.Open("counter", os.O_RDONLY)
	step("open counter after rmmod", errName(err))
	if rmmodErr != nil {
		// The steps after it ran against a loaded module: the sequence
		// is printed whole, but it did not test what it says.
		return fmt.Errorf("conformance: rmmod counter failed: %w", rmmodErr)
	}
	return nil
}

// errName names an error by its errno, "ok" for none.
func errName(err error) string {
	if err == nil {
		return "ok"
	}
	var errno syscall.Errno
	if errors.As(err, &errno) {
		if name, ok := errnoNames[errno]; ok {
			return name
		}
		return fmt.Sprintf("errno %d", int(errno))
	}
	return "error: " + err.Error()
}

var errnoNames = map[syscall.Errno]string{
	syscall.EPERM: "EPERM", syscall.ENOENT: "ENOENT", syscall.EIO: "EIO", syscall.EBADF: "EBADF",
	syscall.EACCES: "EACCES", syscall.EFAULT: "EFAULT", syscall.EBUSY: "EBUSY", syscall.EEXIST: "EEXIST",
	syscall.EINVAL: "EINVAL", syscall.ENOSPC: "ENOSPC", syscall.ESPIPE: "ESPIPE", syscall.EROFS: "EROFS",
	syscall.ENOSYS: "ENOSYS", syscall.ENOTCONN: "ENOTCONN", syscall.ENOTDIR: "ENOTDIR", syscall.EISDIR: "EISDIR",
	syscall.EXDEV: "EXDEV", syscall.ENOTEMPTY: "ENOTEMPTY", syscall.EOPNOTSUPP: "EOPNOTSUPP",
}
