// Package fusechild serves a simulated kernel's /proc through FUSE from a
// child process, so that the process doing I/O to the mount is never the
// one answering it.
//
// A FUSE request waits uninterruptibly for its answer once the server has
// read it. When client and server are one process and it is killed (or
// panics) mid-request, nobody is left to answer: the process hangs in D
// state and the mount hangs whoever touches it, until the connection is
// aborted by hand under /sys/fs/fuse/connections. With the server in a child
// process, killing either side is recoverable:
//
//   - the parent dies (kill -9, a crash): the child still answers the
//     requests in flight, then reads EOF on its stdin (a pipe whose only
//     writer was the parent), unmounts, removes its directory and exits;
//   - the child dies: the kernel aborts the connection when the child's
//     /dev/fuse descriptor closes, requests fail with ENOTCONN, and Close
//     detaches the stale mount;
//   - both die: the mount's directory names the server's pid, and the next
//     Start detaches the mounts of servers that no longer exist.
//
// The child runs in its own process group, so the Ctrl-C that a terminal
// sends to the parent's group reaches only the parent, which then stops the
// child in order. The death notice is the pipe rather than Pdeathsig, which
// Linux sends when the parent's thread exits, not its process, and Go may
// end threads.
//
// The child is this same executable (/proc/self/exe), run with an
// environment variable that this package's init recognizes: it serves and
// exits before main or the tests start. So any binary that links the
// package, `lockbench` or a test binary, can be its own server.
package fusechild

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	_ "github.com/lockbench/lockbench/counter" // the modules a child can insmod
	_ "github.com/lockbench/lockbench/hello"
	"github.com/lockbench/lockbench/kernel"
	"github.com/lockbench/lockbench/kernel/fusefs"
)

const (
	// envServe marks the child and carries its modules, one insmod line
	// ("counter lock=mutex cs=0s") per line.
	envServe = "LOCKBENCH_FUSE_SERVE"
	// dirPrefix starts every mount's directory, followed by the server's
	// pid: lockbench-fuse-1234-567890.
	dirPrefix = "lockbench-fuse-"
	// startTimeout bounds the wait for a child to mount (milliseconds
	// when all is well).
	startTimeout = 10 * time.Second
	// stopTimeout bounds the wait for a child to unmount and exit before
	// it is killed.
	stopTimeout = 5 * time.Second
)

func init() {
	if modules := os.Getenv(envServe); modules != "" {
		os.Exit(serve(modules, os.Stdin, os.Stdout, os.Stderr))
	}
}

// Module is one module to insmod, with its parameters as insmod takes them.
type Module struct {
	Name   string
	Params []string
}

func (m Module) line() string { return strings.Join(append([]string{m.Name}, m.Params...), " ") }

// Mount is a simulated /proc served by a child process at Dir.
type Mount struct {
	Dir string

	cmd    *exec.Cmd
	stderr *bytes.Buffer // the child's; read only after it exited

	mu       sync.Mutex // serializes commands on the pipe; Close does not take it
	control  io.WriteCloser
	replies  *bufio.Reader
	closed   atomic.Bool
	close    sync.Once
	closeErr error
}

// Start clears the mounts of servers that no longer exist, then starts a
// child that boots a kernel, insmods modules and mounts its /proc in a new
// directory under os.TempDir. It returns once the files are there.
func Start(modules ...Module) (*Mount, error) {
	if err := fusefs.Available(); err != nil {
		return nil, err
	}
	tmp, err := tempDir()
	if err != nil {
		return nil, err
	}
	clearOrphans(tmp)
	var lines []string
	for _, m := range modules {
		lines = append(lines, m.line())
	}
	self, err := os.Executable()
	if err != nil {
		return nil, err
	}
	cmd := exec.Command("/proc/self/exe")
	cmd.Path = "/proc/self/exe" // this very binary, even if its file was replaced or removed
	cmd.Args = []string{filepath.Base(self) + " (lockbench fuse server)"}
	// The server makes its directory in tmp, resolved: /proc/self/mountinfo
	// names mounts by their real path, and that is how they are found.
	cmd.Env = append(os.Environ(), envServe+"="+strings.Join(lines, "\n"), "TMPDIR="+tmp)
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	stderr := new(bytes.Buffer)
	cmd.Stderr = stderr
	control, err := cmd.StdinPipe()
	if err != nil {
		return nil, err
	}
	out, err := cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("fusechild: starting the server: %w", err)
	}
	m := &Mount{cmd: cmd, stderr: stderr, control: control, replies: bufio.NewReader(out)}

	ready := make(chan string, 1)
	go func() {
		line, _ := m.replies.ReadString('\n')
		ready <- line
	}()
	select {
	case line := <-ready:
		dir, ok := strings.CutPrefix(strings.TrimSuffix(line, "\n"), "mounted ")
		if ok {
			m.Dir = dir
			return m, nil
		}
		m.Close()
		return nil, fmt.Errorf("fusechild: the server failed: %s", strings.TrimSpace(m.stderr.String()))
	case <-time.After(startTimeout):
		m.Close()
		return nil, fmt.Errorf("fusechild: the server did not mount within %v", startTimeout)
	}
}

// Insmod loads a module into the child's kernel, as kernel.Insmod does.
func (m *Mount) Insmod(name string, params ...string) error {
	return m.do("insmod " + Module{name, params}.line())
}

// Rmmod unloads a module from the child's kernel, as kernel.Rmmod does;
// its errors are the same syscall.Errno values.
func (m *Mount) Rmmod(name string) error { return m.do("rmmod " + name) }

// do sends one command and reads its answer: "ok" or "err ERRNO TEXT".
func (m *Mount) do(command string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.closed.Load() {
		return errors.New("fusechild: the mount is closed")
	}
	if _, err := io.WriteString(m.control, command+"\n"); err != nil {
		return fmt.Errorf("fusechild: %s: %w", command, err)
	}
	reply, err := m.replies.ReadString('\n')
	if err != nil {
		return fmt.Errorf("fusechild: %s: the server is gone: %w", command, err)
	}
	return parseReply(strings.TrimSuffix(reply, "\n"))
}

// Close stops the child: it unmounts, removes the directory and exits. A
// child that does not within a few seconds is killed, and whatever mount
// and directory it left are removed here. It does not wait for a command
// in flight, which ends when the child does. Only the first call acts.
func (m *Mount) Close() error {
	m.close.Do(func() { m.closeErr = m.stop() })
	return m.closeErr
}

func (m *Mount) stop() error {
	m.closed.Store(true)
	m.control.Close() // EOF: the child's signal to stop
	exited := make(chan error, 1)
	go func() { exited <- m.cmd.Wait() }()
	var err error
	select {
	case err = <-exited:
	case <-time.After(stopTimeout):
		m.cmd.Process.Kill()
		err = fmt.Errorf("fusechild: the server did not stop within %v and was killed: %w", stopTimeout, <-exited)
	}
	if err != nil && m.stderr.Len() > 0 {
		err = fmt.Errorf("%w: %s", err, strings.TrimSpace(m.stderr.String()))
	}
	if m.Dir != "" {
		err = errors.Join(err, removeMount(m.Dir))
	}
	return err
}

// removeMount detaches a mount left at dir, if any, and removes dir.
func removeMount(dir string) error {
	var err error
	if _, connErr := fusefs.Connection(dir); connErr == nil {
		err = fusefs.Unmount(dir)
	}
	if rmErr := os.Remove(dir); rmErr != nil && !errors.Is(rmErr, os.ErrNotExist) {
		err = errors.Join(err, rmErr)
	}
	return err
}

var orphanName = regexp.MustCompile(`^` + dirPrefix + `(\d+)-\d+$`)

// tempDir is os.TempDir as /proc/self/mountinfo names it: absolute, with
// symbolic links resolved. A newline in it would break the line that
// reports the mount, and is refused.
func tempDir() (string, error) {
	dir, err := filepath.Abs(os.TempDir())
	if err == nil {
		dir, err = filepath.EvalSymlinks(dir)
	}
	if err != nil {
		return "", fmt.Errorf("fusechild: the temporary directory: %w", err)
	}
	if strings.ContainsAny(dir, "\n") {
		return "", fmt.Errorf("fusechild: the temporary directory %q holds a newline", dir)
	}
	return dir, nil
}

// clearOrphans detaches the mounts in tmp whose server process no longer
// exists (parent and child both killed) and removes their directories. It
// never touches a mount whose server lives: it reads /proc/self/mountinfo
// and signals pids, and does no I/O to any mount.
func clearOrphans(tmp string) {
	for _, dir := range fusefs.Mounts() {
		if filepath.Dir(dir) != tmp {
			continue
		}
		match := orphanName.FindStringSubmatch(filepath.Base(dir))
		if match == nil {
			continue
		}
		if pid, _ := strconv.Atoi(match[1]); exited(pid) {
			removeMount(dir)
		}
	}
}

// exited reports whether process pid is gone or a zombie: an orphan's
// zombie waits for its reaper (init), but its files, /dev/fuse among them,
// are closed.
func exited(pid int) bool {
	if err := syscall.Kill(pid, 0); errors.Is(err, syscall.ESRCH) {
		return true
	}
	state, err := procState(pid)
	return errors.Is(err, os.ErrNotExist) || state == 'Z'
}

// procState returns the state letter of /proc/PID/stat: R, S, D, T, Z...
func procState(pid int) (byte, error) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0, err
	}
	// pid (comm) state ...; comm may hold spaces and parentheses.
	_, rest, _ := strings.Cut(string(b[bytes.LastIndexByte(b, ')')+1:]), " ")
	if rest == "" {
		return 0, fmt.Errorf("fusechild: /proc/%d/stat: no state", pid)
	}
	return rest[0], nil
}

// serve is the child: mount, say where, run commands from control until
// EOF or SIGINT/SIGTERM, unmount. It returns the exit status.
func serve(modules string, control io.Reader, out, errOut io.Writer) int {
	// Signals are caught before the mount exists: one that comes as the
	// files appear must unmount, not kill the server under its mount. A
	// write to a parent that died fails with EPIPE, which means stop,
	// rather than killing the server under its mount with SIGPIPE.
	sig := make(chan os.Signal, 1)
	signal.Notify(sig, os.Interrupt, syscall.SIGTERM)
	signal.Ignore(syscall.SIGPIPE)

	k := kernel.New()
	for _, line := range strings.Split(modules, "\n") {
		if f := strings.Fields(line); len(f) > 0 {
			if err := k.Insmod(f[0], f[1:]...); err != nil {
				fmt.Fprintf(errOut, "insmod %s: %v\n", line, err)
				return 1
			}
		}
	}
	dir, err := os.MkdirTemp("", fmt.Sprintf("%s%d-", dirPrefix, os.Getpid()))
	if err != nil {
		fmt.Fprintln(errOut, err)
		return 1
	}
	defer os.Remove(dir)
	server, err := fusefs.Mount(dir, k)
	if err != nil {
		fmt.Fprintln(errOut, err)
		return 1
	}
	unmounted := make(chan struct{})
	go func() { server.Wait(); close(unmounted) }()

	eof := make(chan struct{})
	go func() {
		defer close(eof)
		if _, err := fmt.Fprintf(out, "mounted %s\n", dir); err != nil {
			return // the parent is gone
		}
		lines := bufio.NewScanner(control)
		for lines.Scan() {
			if _, err := fmt.Fprintln(out, reply(k, lines.Text())); err != nil {
				return
			}
		}
	}()
	select {
	case <-eof:
	case <-sig:
	case <-unmounted: // detached from outside
		return 0
	}
	if err := server.Unmount(); err != nil {
		// Busy (a process still has a file open): detach lazily; the
		// connection ends when the last file closes.
		fusefs.Unmount(dir)
	}
	select {
	case <-unmounted:
	case <-time.After(stopTimeout):
	}
	return 0
}

// reply runs one command on k and answers it.
func reply(k *kernel.Kernel, command string) string {
	f := strings.Fields(command)
	var err error
	switch {
	case len(f) >= 2 && f[0] == "insmod":
		err = k.Insmod(f[1], f[2:]...)
	case len(f) == 2 && f[0] == "rmmod":
		err = k.Rmmod(f[1])
	default:
		err = fmt.Errorf("unknown command %q (want insmod NAME [PARAM...] or rmmod NAME)", command)
	}
	if err == nil {
		return "ok"
	}
	var errno syscall.Errno
	errors.As(err, &errno)
	return fmt.Sprintf("err %d %s", int(errno), strings.ReplaceAll(err.Error(), "\n", " "))
}

// remoteError is an error of the child's kernel: its text, and its errno
// for errors.Is.
type remoteError struct {
	errno syscall.Errno
	text  string
}

func (e *remoteError) Error() string { return e.text }
func (e *remoteError) Unwrap() error {
	if e.errno == 0 {
		return nil
	}
	return e.errno
}

func parseReply(reply string) error {
	if reply == "ok" {
		return nil
	}
	rest, ok := strings.CutPrefix(reply, "err ")
	if !ok {
		return fmt.Errorf("fusechild: unexpected reply %q", reply)
	}
	num, text, _ := strings.Cut(rest, " ")
	errno, _ := strconv.Atoi(num)
	return &remoteError{errno: syscall.Errno(errno), text: text}
}
