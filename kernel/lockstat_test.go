package kernel_test

import (
	"os"
	"strings"
	"syscall"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/lockbench/lockbench/kernel"
	"github.com/lockbench/lockbench/locks"
)

// docSnapshot is the &mm->mmap_sem class of lockstat.rst's sample, as a
// snapshot: every count and time the sample shows, but the bounces, which
// lockbench does not track.
func docSnapshot() locks.StatSnapshot {
	var s locks.StatSnapshot
	w, r := locks.Writer, locks.Reader
	s.Events[w][locks.Contentions] = 84
	s.Events[w][locks.Acquisitions] = 2922365
	s.Times[w][locks.WaitTime] = locks.TimeStats{N: 84, Sum: 16371530, Min: 260, Max: 939100}
	s.Times[w][locks.HoldTime] = locks.TimeStats{N: 2922365, Sum: 17464026916320, Min: 160, Max: 2220301690}
	s.Events[r][locks.Contentions] = 100
	s.Events[r][locks.Acquisitions] = 34316685
	s.Times[r][locks.WaitTime] = locks.TimeStats{N: 100, Sum: 325629520, Min: 1310, Max: 299502610}
	s.Times[r][locks.HoldTime] = locks.TimeStats{N: 34316685, Sum: 95016910200, Min: 100, Max: 7744910}
	return s
}

// lockClassToRegister is the class the lockstat_test module registers at
// its next insmod: the module is registered once per process (the module
// registry is the "disk", shared by every kernel and every -count run).
var lockClassToRegister kernel.LockClass

func init() {
	kernel.Register(kernel.Module{
		Name: "lockstat_test",
		Init: func(m *kernel.Instance) (func(), error) {
			return nil, m.RegisterLockClass(lockClassToRegister)
		},
	})
}

// insmodLockClass loads the lockstat_test module with class.
func insmodLockClass(t *testing.T, k *kernel.Kernel, class kernel.LockClass) error {
	t.Helper()
	lockClassToRegister = class
	return k.Insmod("lockstat_test")
}

func TestLockStatFormatIsTheKernels(t *testing.T) {
	want, err := os.ReadFile("testdata/lockstat-doc.txt")
	require.NoError(t, err)
	// lockbench does not track bounces: the sample's read 0.
	wantText := strings.NewReplacer(
		"-W:            46", "-W:             0", "-R:            37", "-R:             0",
		"          47291        2922365", "              0        2922365",
		"         212344       34316685", "              0       34316685",
	).Replace(string(want))

	k := kernel.New()
	require.NoError(t, insmodLockClass(t, k, kernel.LockClass{
		Name:     "&mm->mmap_sem",
		Snapshot: docSnapshot,
		Reset:    func() {},
	}))
	got, err := k.ReadFile("/proc/lock_stat")
	require.NoError(t, err)
	assert.Equal(t, wantText, string(got))
}

func TestLockStatClearsOnZeroAndGoesWithItsModule(t *testing.T) {
	k := kernel.New()
	resets := 0
	var snap locks.StatSnapshot
	snap.Events[locks.Writer][locks.Acquisitions] = 7
	require.NoError(t, insmodLockClass(t, k, kernel.LockClass{
		Name:     "ticket:park",
		Snapshot: func() locks.StatSnapshot { return snap },
		Reset:    func() { resets++; snap = locks.StatSnapshot{} },
	}))
	got, err := k.ReadFile("/proc/lock_stat")
	require.NoError(t, err)
	assert.Contains(t, string(got), "                             ticket:park:             0              0")

	f, err := k.Open("/proc/lock_stat", os.O_WRONLY)
	require.NoError(t, err)
	_, err = f.Write([]byte("1\n"))
	require.NoError(t, err, "anything but 0 is accepted and ignored, as in the kernel")
	assert.Zero(t, resets)
	_, err = f.Write([]byte("0\n"))
	require.NoError(t, err)
	assert.Equal(t, 1, resets)
	require.NoError(t, f.Close())
	got, err = k.ReadFile("/proc/lock_stat")
	require.NoError(t, err)
	assert.NotContains(t, string(got), "ticket:park", "a cleared class has no line until it is used again, as in the kernel")

	require.NoError(t, k.Rmmod("lockstat_test"))
	got, err = k.ReadFile("/proc/lock_stat")
	require.NoError(t, err)
	assert.NotContains(t, string(got), "ticket:park", "the class went with its module")
}

func TestLockClassNeedsANameAndFunctions(t *testing.T) {
	assert.ErrorIs(t, insmodLockClass(t, kernel.New(), kernel.LockClass{Name: "x"}), syscall.EINVAL)
}
