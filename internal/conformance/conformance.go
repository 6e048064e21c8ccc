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
	"strconv"
	"syscall"
)

// File is what the sequence needs of an open file: *os.File and
// *kernel.File both are.
type File interface {
	io.Reader
	io.Writer
	io.ReaderAt
	io.Closer
}

// System opens /proc files and unloads the counter module.
type System interface {
	Open(name string, flag int) (File, error) // name: "counter", "helloworlddriver"
	RmmodCounter() error
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
	syscall.ENOSYS: "ENOSYS", syscall.ENOTCONN: "ENOTCONN",
}
