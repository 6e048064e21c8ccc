package main

import (
	"bytes"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/lockbench/lockbench/internal/testenv"
)

// TestMain lets the test binary be lockbench itself, for tests that need a
// server in another process.
func TestMain(m *testing.M) {
	if os.Getenv("LOCKBENCH_AS_MAIN") == "1" {
		os.Exit(exitCode(run(os.Args[1:], os.Stdout, os.Stderr), os.Stderr))
	}
	os.Exit(m.Run())
}

// syncBuffer is a bytes.Buffer that a child's output copier and the test
// may use at once.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// startMount starts `lockbench mount ARGS...` in another process: this one
// must never serve a mount it does I/O to.
func startMount(t *testing.T, args ...string) (*exec.Cmd, *syncBuffer) {
	t.Helper()
	cmd := exec.Command(os.Args[0], append([]string{"mount"}, args...)...)
	cmd.Env = append(os.Environ(), "LOCKBENCH_AS_MAIN=1")
	out := new(syncBuffer)
	cmd.Stdout, cmd.Stderr = out, out
	require.NoError(t, cmd.Start())
	return cmd, out
}

// mounted reports whether anything is mounted at dir.
func mounted(dir string) bool {
	b, _ := os.ReadFile("/proc/self/mounts")
	return strings.Contains(string(b), " "+dir+" ")
}

// release ends server and whatever is mounted at dir, stuck, stale or
// stacked: a server that died under its own mount waits on itself until
// its FUSE connection is aborted.
func release(dir string, server *exec.Cmd) {
	server.Process.Kill()
	for range 3 {
		if !mounted(dir) {
			return
		}
		testenv.ReleaseMount(dir)
	}
}

// server starts `lockbench mount DIR` in another process and waits until
// the counter file appears.
func server(t *testing.T, dir string) (*exec.Cmd, *syncBuffer) {
	t.Helper()
	cmd, out := startMount(t, "-counter-lock", "ticket", dir)
	deadline := time.Now().Add(30 * time.Second)
	for {
		if _, err := os.Stat(filepath.Join(dir, "counter")); err == nil {
			return cmd, out
		}
		if time.Now().After(deadline) {
			t.Fatalf("the mount did not come up: %s", out.String())
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// TestMountSurvivesKill9 kills the server during writes: the mount is left
// stale ("Transport endpoint is not connected"), the next mount on the same
// directory clears it and succeeds, and no mount is left behind.
func TestMountSurvivesKill9(t *testing.T) {
	testenv.RequireFuse(t)
	dir := t.TempDir()
	first, _ := server(t, dir)
	counter := filepath.Join(dir, "counter")

	writing := make(chan struct{})
	go func() {
		defer close(writing)
		for {
			if err := os.WriteFile(counter, []byte("I\n"), 0); err != nil {
				return // the server is gone
			}
		}
	}()
	time.Sleep(50 * time.Millisecond)
	require.NoError(t, first.Process.Signal(syscall.SIGKILL))
	first.Wait()
	<-writing
	_, err := os.Stat(dir)
	require.True(t, errors.Is(err, syscall.ENOTCONN), "a stale mount: %v", err)

	second, out := server(t, dir)
	b, err := os.ReadFile(counter)
	require.NoError(t, err)
	assert.Equal(t, "0\n", string(b), "a fresh kernel serves the mount")
	assert.Contains(t, out.String(), "cleared a stale mount at "+dir)

	code, _, errOut := lockbench("umount", dir)
	require.Equal(t, 0, code, errOut)
	require.NoError(t, second.Wait(), out.String())
	assert.Contains(t, out.String(), "unmounted "+dir)

	mounts, err := os.ReadFile("/proc/self/mounts")
	require.NoError(t, err)
	assert.NotContains(t, string(mounts), " "+dir+" ", "no mount is left behind")

	code, _, errOut = lockbench("umount", dir)
	assert.Equal(t, 2, code)
	assert.Contains(t, errOut, "is not a mount point")
}

func TestMountSignalUnmounts(t *testing.T) {
	testenv.RequireFuse(t)
	dir := t.TempDir()
	cmd, out := server(t, dir)
	require.NoError(t, os.WriteFile(filepath.Join(dir, "counter"), []byte("I"), 0))
	require.NoError(t, cmd.Process.Signal(syscall.SIGTERM))
	require.NoError(t, cmd.Wait())
	assert.Contains(t, out.String(), "the simulated /proc is mounted at "+dir)
	assert.Contains(t, out.String(), "unmounted "+dir)
	mounts, err := os.ReadFile("/proc/self/mounts")
	require.NoError(t, err)
	assert.False(t, strings.Contains(string(mounts), " "+dir+" "))
}

func TestMountBadInput(t *testing.T) {
	code, _, errOut := lockbench("mount")
	assert.Equal(t, 2, code)
	assert.Contains(t, errOut, "mount: want one directory")
	code, _, errOut = lockbench("mount", "-modules", "nosuch", t.TempDir())
	assert.Equal(t, 2, code)
	assert.Contains(t, errOut, "insmod nosuch: no such module")
	code, _, errOut = lockbench("mount", "-counter-lock", "spinny", t.TempDir())
	assert.Equal(t, 2, code)
	assert.Contains(t, errOut, `unknown lock "spinny"`)
	code, _, errOut = lockbench("mount", filepath.Join(t.TempDir(), "missing"))
	assert.Equal(t, 2, code)
	assert.Contains(t, errOut, "no such file or directory")
}

// TestMountSignalAsItComesUp: a SIGINT or SIGTERM sent the moment the
// counter file appears still unmounts and ends the server (issue 11,
// defect 2: signal.Notify used to be registered only after the mount).
func TestMountSignalAsItComesUp(t *testing.T) {
	testenv.RequireFuse(t)
	for _, sig := range []syscall.Signal{syscall.SIGINT, syscall.SIGTERM} {
		t.Run(sig.String(), func(t *testing.T) {
			for range 20 {
				dir := t.TempDir()
				cmd, out := startMount(t, dir)
				t.Cleanup(func() { release(dir, cmd) }) // whatever the test's end
				// The first moment the file appears: no sleep between looks.
				for deadline := time.Now().Add(30 * time.Second); ; {
					if _, err := os.Stat(filepath.Join(dir, "counter")); err == nil {
						break
					}
					require.True(t, time.Now().Before(deadline), "the mount did not come up: %s", out.String())
				}
				require.NoError(t, cmd.Process.Signal(sig))
				exited := make(chan error, 1)
				go func() { exited <- cmd.Wait() }()
				select {
				case err := <-exited:
					require.NoError(t, err, out.String())
				case <-time.After(10 * time.Second):
					release(dir, cmd) // never leave the machine wedged
					<-exited
					t.Fatalf("the server did not end on %v sent as the mount came up: %s", sig, out.String())
				}
				assert.Contains(t, out.String(), "unmounted "+dir)
				require.False(t, mounted(dir), "no mount is left behind")
			}
		})
	}
}

// TestMountRefusesALiveMount: a second mount on a live one is refused, not
// stacked on top; the files are dated when they were mounted, not 1970
// (issue 11, defect 3 in part).
func TestMountRefusesALiveMount(t *testing.T) {
	testenv.RequireFuse(t)
	dir := t.TempDir()
	before := time.Now().Add(-time.Second)
	cmd, out := server(t, dir)
	t.Cleanup(func() { release(dir, cmd) }) // whatever the test's end

	// The second mount runs in its own process, as the first: were it to
	// mount after all, this process must not be the one serving its files.
	second, secondOut := startMount(t, dir)
	exited := make(chan error, 1)
	go func() { exited <- second.Wait() }()
	select {
	case err := <-exited:
		var exit *exec.ExitError
		require.ErrorAs(t, err, &exit)
		assert.Equal(t, 2, exit.ExitCode())
	case <-time.After(10 * time.Second):
		second.Process.Kill()
		<-exited
		t.Fatalf("a second mount on a live one did not refuse: %s", secondOut.String())
	}
	assert.Equal(t, "lockbench: mount: "+dir+" is already mounted (lockbench umount "+dir+" first)\n", secondOut.String())
	mounts, err := os.ReadFile("/proc/self/mounts")
	require.NoError(t, err)
	assert.Equal(t, 1, strings.Count(string(mounts), " "+dir+" "), "nothing stacked")

	st, err := os.Stat(filepath.Join(dir, "counter"))
	require.NoError(t, err)
	assert.True(t, st.ModTime().After(before), "dated %v, not 1970", st.ModTime())

	require.NoError(t, cmd.Process.Signal(syscall.SIGTERM))
	require.NoError(t, cmd.Wait(), out.String())
}
