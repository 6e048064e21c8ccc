package kernel_test

import (
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/lockbench/lockbench/kernel"
)

// The kernel's own answers to name and attribute changes; the conformance
// test checks the same calls against the real kernel's golden answers.
func TestNamesAndAttributesAreTheModules(t *testing.T) {
	k := kernel.New()
	_, err := k.ProcCreate("ro", 0o444, showString("x"))
	require.NoError(t, err)
	_, err = k.ProcCreate("rw", 0o666, kernel.ProcOps{Show: showString("x").Show, Write: func(_ *kernel.File, b []byte, _ *int64) (int, error) { return len(b), nil }})
	require.NoError(t, err)
	before := k.ProcList()

	requireErrno(t, k.Unlink("/proc/rw"), syscall.EACCES, "/proc/rw")
	requireErrno(t, k.Unlink("/proc/none"), syscall.ENOENT, "/proc/none")
	requireErrno(t, k.Rename("/proc/rw", "/proc/ro"), syscall.EACCES, "/proc/rw")
	requireErrno(t, k.Rename("/proc/rw", "/proc/new"), syscall.ENOENT, "/proc/new")
	requireErrno(t, k.Rename("/proc/none", "/proc/rw"), syscall.ENOENT, "/proc/none")
	requireErrno(t, k.Mkdir("/proc/rw"), syscall.EEXIST, "/proc/rw")
	requireErrno(t, k.Mkdir("/proc/new"), syscall.ENOENT, "/proc/new")
	requireErrno(t, k.Chmod("/proc/rw", 0o600), syscall.EPERM, "/proc/rw")
	requireErrno(t, k.Chown("/proc/rw", 0, 0), syscall.EPERM, "/proc/rw")
	requireErrno(t, k.Touch("/proc/rw", time.Unix(1, 0)), syscall.EPERM, "/proc/rw")
	requireErrno(t, k.Touch("/proc/ro", time.Time{}), syscall.EACCES, "/proc/ro")
	requireErrno(t, k.Touch("/proc/rw/", time.Time{}), syscall.ENOTDIR, "/proc/rw/")
	assert.NoError(t, k.Touch("/proc/rw", time.Time{}), "to now: write access suffices")

	assert.Equal(t, before, k.ProcList(), "nothing changed")
}

func TestKmsgIsTheDmesgText(t *testing.T) {
	k := kernel.New()
	k.Printk(kernel.KernInfo, "hello from a test")
	b, err := k.ReadFile("/proc/kmsg")
	require.NoError(t, err)
	assert.Contains(t, string(b), "hello from a test\n")
	_, err = k.Open("/proc/kmsg", 1)
	requireErrno(t, err, syscall.EACCES, "/proc/kmsg")
}
