package main

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/lockbench/lockbench/internal/conformance"
	"github.com/lockbench/lockbench/internal/fusechild"
	"github.com/lockbench/lockbench/internal/testenv"
	"github.com/lockbench/lockbench/kernel"
)

// The real kernel is the oracle: kmod/conformance.golden holds what Linux
// 6.1 answered in the qemu guest (kmod/guest-test.sh), and the simulated
// kernel must answer the same, in-process and through FUSE.

func realKernelAnswers(t *testing.T) string {
	b, err := os.ReadFile("../../kmod/conformance.golden")
	require.NoError(t, err)
	return string(b)
}

func loaded(t *testing.T) *kernel.Kernel {
	k := kernel.New()
	require.NoError(t, k.Insmod("counter"))
	require.NoError(t, k.Insmod("hello"))
	return k
}

// kernelSystem runs the sequence on the simulated kernel's API.
type kernelSystem struct{ k *kernel.Kernel }

func (s kernelSystem) Open(name string, flag int) (conformance.File, error) {
	f, err := s.k.Open("/proc/"+name, flag)
	if err != nil {
		return nil, err
	}
	return f, nil
}

func (s kernelSystem) Remove(name string) error               { return s.k.Unlink("/proc/" + name) }
func (s kernelSystem) Rename(from, to string) error           { return s.k.Rename("/proc/"+from, "/proc/"+to) }
func (s kernelSystem) Mkdir(name string) error                { return s.k.Mkdir("/proc/" + name) }
func (s kernelSystem) Chmod(name string, m os.FileMode) error { return s.k.Chmod("/proc/"+name, m) }
func (s kernelSystem) Chown(name string, uid, gid int) error {
	return s.k.Chown("/proc/"+name, uid, gid)
}
func (s kernelSystem) Touch(name string, t time.Time) error { return s.k.Touch("/proc/"+name, t) }
func (s kernelSystem) RmmodCounter() error                  { return s.k.Rmmod("counter") }

func TestConformanceInProcess(t *testing.T) {
	var out bytes.Buffer
	require.NoError(t, conformance.Run(&out, kernelSystem{loaded(t)}))
	assert.Equal(t, realKernelAnswers(t), out.String())
}

func TestConformanceThroughFUSE(t *testing.T) {
	testenv.RequireFuse(t)
	m, err := fusechild.Start(fusechild.Module{Name: "counter"}, fusechild.Module{Name: "hello"})
	require.NoError(t, err)
	defer func() { assert.NoError(t, m.Close()) }()
	var out bytes.Buffer
	// This process does I/O to the mount; a child process serves it.
	sys := conformance.Dir{Path: m.Dir, Rmmod: func() error { return m.Rmmod("counter") }}
	require.NoError(t, conformance.Run(&out, sys))
	assert.Equal(t, realKernelAnswers(t), out.String())
}

// TestConformanceFailsWhenRmmodFails: the sequence is printed whole, but a
// failed rmmod means it did not test what it says: status 1 (issue 11,
// defect 9).
func TestConformanceFailsWhenRmmodFails(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("needs root: the sequence runs as nobody (-uid 65534), as in the guest")
	}
	// A directory that nobody may change, as /proc: the sequence's unlink,
	// rename and chmod are refused and it runs to its end.
	dir := t.TempDir()
	require.NoError(t, os.Chmod(filepath.Dir(dir), 0o755))
	for name, mode := range map[string]os.FileMode{"counter": 0o666, "helloworlddriver": 0o444} {
		require.NoError(t, os.WriteFile(filepath.Join(dir, name), nil, 0))
		require.NoError(t, os.Chmod(filepath.Join(dir, name), mode)) // not the umask's
	}
	require.NoError(t, os.Chmod(dir, 0o555))
	// In another process: -uid changes every thread's effective uid.
	cmd := exec.Command(os.Args[0], "conformance", "-uid", "65534", "-rmmod", "false", dir)
	cmd.Env = append(os.Environ(), "LOCKBENCH_AS_MAIN=1")
	var out, errOut bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errOut
	err := cmd.Run()
	var exit *exec.ExitError
	require.ErrorAs(t, err, &exit)
	assert.Equal(t, 1, exit.ExitCode())
	assert.Contains(t, out.String(), "unlink counter: EACCES")
	assert.Contains(t, out.String(), "rmmod counter with the file open: error: exit status 1")
	assert.Contains(t, out.String(), "open counter after rmmod: ", "the sequence ran to its end")
	assert.Equal(t, "lockbench: conformance: rmmod counter failed: exit status 1\n", errOut.String())
}
