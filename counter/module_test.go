package counter_test

import (
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/lockbench/lockbench/counter"
	"github.com/lockbench/lockbench/internal/race"
	"github.com/lockbench/lockbench/kernel"
	"github.com/lockbench/lockbench/locks"
)

func loadCounter(t testing.TB, params ...string) *kernel.Kernel {
	t.Helper()
	k := kernel.New()
	require.NoError(t, k.Insmod("counter", params...))
	return k
}

func readValue(t testing.TB, k *kernel.Kernel) int64 {
	t.Helper()
	b, err := k.ReadFile("/proc/counter")
	require.NoError(t, err)
	s, ok := strings.CutSuffix(string(b), "\n")
	require.True(t, ok, "the value ends with a newline: %q", b)
	v, err := strconv.ParseInt(s, 10, 64)
	require.NoError(t, err)
	return v
}

func lastDmesg(k *kernel.Kernel) string {
	lines := k.Dmesg()
	return lines[len(lines)-1]
}

func TestEchoIAndD(t *testing.T) {
	k := loadCounter(t)
	assert.Contains(t, lastDmesg(k), "] counter: loaded, lock=mutex", "mutex is the default, as in the tutorial")
	assert.Equal(t, int64(0), readValue(t, k))

	for _, cmd := range []string{"I\n", "I\n", "I", "D\n"} {
		require.NoError(t, k.WriteFile("/proc/counter", []byte(cmd)), "%q", cmd)
	}
	assert.Equal(t, int64(2), readValue(t, k))
	for range 5 {
		require.NoError(t, k.WriteFile("/proc/counter", []byte("D")))
	}
	assert.Equal(t, int64(-3), readValue(t, k))

	require.NoError(t, k.Rmmod("counter"))
	assert.Contains(t, lastDmesg(k), "] counter: unloaded, lock=mutex, final value -3")
}

func TestBadWritesAreEINVAL(t *testing.T) {
	k := loadCounter(t, "lock=ticket")
	require.NoError(t, k.WriteFile("/proc/counter", []byte("I")))
	for _, bad := range []string{"X", "i", "d", "II", "ID", "I\n\n", "\n", " I", "I ", "I\r\n", "+1", "1", "D\x00"} {
		err := k.WriteFile("/proc/counter", []byte(bad))
		assert.ErrorIs(t, err, syscall.EINVAL, "%q", bad)
		assert.Equal(t, int64(1), readValue(t, k), "a rejected write %q changes nothing", bad)
	}
}

func TestInsmodBadLock(t *testing.T) {
	k := kernel.New()
	err := k.Insmod("counter", "lock=spinny")
	assert.ErrorIs(t, err, syscall.EINVAL)
	assert.Contains(t, lastDmesg(k), `counter: 'spinny' invalid for parameter 'lock': unknown lock "spinny" (valid: `+strings.Join(locks.Names(), ", ")+", atomic, sharded;")
	assert.Empty(t, k.Lsmod())
	_, err = k.Open("/proc/counter", os.O_RDONLY)
	assert.ErrorIs(t, err, syscall.ENOENT)

	assert.ErrorIs(t, k.Insmod("counter", "verbose=sometimes"), syscall.EINVAL)
}

func TestVerbosePrintksEveryOperation(t *testing.T) {
	k := loadCounter(t, "lock=sharded", "verbose=1")
	require.NoError(t, k.WriteFile("/proc/counter", []byte("I\n")))
	require.NoError(t, k.WriteFile("/proc/counter", []byte("D\n")))
	assert.ErrorIs(t, k.WriteFile("/proc/counter", []byte("Q\n")), syscall.EINVAL)

	var debug []string
	for _, r := range k.LogRecords() {
		if r.Level == kernel.KernDebug {
			debug = append(debug, r.Text)
		}
	}
	assert.Equal(t, []string{
		"counter: I, value now 1",
		"counter: D, value now 0",
		`counter: rejected write "Q\n"`,
	}, debug)
}

func TestReadHonoursOffset(t *testing.T) {
	k := loadCounter(t, "lock=atomic")
	for range 1234 {
		require.NoError(t, k.WriteFile("/proc/counter", []byte("I")))
	}
	f, err := k.Open("/proc/counter", os.O_RDWR)
	require.NoError(t, err)
	defer f.Close()

	var got []byte
	one := make([]byte, 1)
	for {
		n, err := f.Read(one)
		if err == io.EOF {
			break
		}
		require.NoError(t, err)
		got = append(got, one[:n]...)
		// Writes between the byte reads do not tear the value being read.
		_, err = f.WriteAt([]byte("I"), 0)
		require.NoError(t, err)
	}
	assert.Equal(t, "1234\n", string(got))

	buf := make([]byte, 16)
	n, _ := f.ReadAt(buf, 0)
	assert.Equal(t, "1239\n", string(buf[:n]), "pread at offset 0 sees the new value")
	n, _ = f.ReadAt(buf, 2)
	assert.Equal(t, "39\n", string(buf[:n]))
}

// TestConcurrentWritersExact drives every guard through proc files from
// goroutines that each hold their own file, with a mix of I and D, and checks
// the exact final value.
func TestConcurrentWritersExact(t *testing.T) {
	for _, guard := range counter.Guards() {
		t.Run("lock="+guard.Name(), func(t *testing.T) {
			k := loadCounter(t, counter.Params{Guard: guard}.Insmod()...)
			const g, each = 8, 1000
			var wg sync.WaitGroup
			for i := range g {
				wg.Go(func() {
					f, err := k.Open("/proc/counter", os.O_WRONLY)
					if !assert.NoError(t, err) {
						return
					}
					defer f.Close()
					cmd := []byte("I\n")
					if i%4 == 3 {
						cmd = []byte("D\n")
					}
					for range each {
						if _, err := f.Write(cmd); err != nil {
							assert.NoError(t, err)
							return
						}
					}
				})
			}
			wg.Wait()
			assert.Equal(t, int64((6-2)*each), readValue(t, k))
			require.NoError(t, k.Rmmod("counter"))
			assert.Contains(t, lastDmesg(k), fmt.Sprintf("final value %d", (6-2)*each))
		})
	}
}

// TestRmmodWhileWriting unloads the counter while writers are busy on open
// files: writes after the unload fail with EIO, none half-done, and the final
// value printed at unload equals the writes that succeeded.
func TestRmmodWhileWriting(t *testing.T) {
	for _, guard := range []string{"mutex", "ticket", "sharded"} {
		t.Run("lock="+guard, func(t *testing.T) {
			k := loadCounter(t, "lock="+guard)
			const g = 6
			var succeeded atomic.Int64
			var started sync.WaitGroup
			var wg sync.WaitGroup
			started.Add(g)
			for i := range g {
				f, err := k.Open("/proc/counter", os.O_WRONLY)
				require.NoError(t, err)
				wg.Go(func() {
					defer f.Close()
					cmd, delta := []byte("I"), int64(1)
					if i%3 == 2 {
						cmd, delta = []byte("D"), -1
					}
					first := true
					for {
						_, err := f.Write(cmd)
						if err != nil {
							assert.ErrorIs(t, err, syscall.EIO)
							if first {
								started.Done()
							}
							return
						}
						succeeded.Add(delta)
						if first {
							started.Done()
							first = false
						}
					}
				})
			}
			started.Wait()
			require.NoError(t, k.Rmmod("counter"))
			wg.Wait()
			assert.Contains(t, lastDmesg(k), fmt.Sprintf("counter: unloaded, lock=%s, final value %d", guard, succeeded.Load()))
		})
	}
}

// TestProcWriteAllocatesNothing checks the hot path: a write of "I" through
// an open proc file, for every guard.
func TestProcWriteAllocatesNothing(t *testing.T) {
	if race.Enabled {
		t.Skip("allocation counts are not meaningful under -race")
	}
	for _, guard := range counter.Guards() {
		k := loadCounter(t, counter.Params{Guard: guard}.Insmod()...)
		f, err := k.Open("/proc/counter", os.O_RDWR)
		require.NoError(t, err)
		inc, dec := []byte("I"), []byte("D\n")
		buf := make([]byte, 32)
		allocs := testing.AllocsPerRun(1000, func() {
			_, _ = f.Write(inc)
			_, _ = f.Write(dec)
			_, _ = f.ReadAt(buf[:4], 0)
		})
		assert.Zero(t, allocs, "lock=%s: allocations per write/write/pread", guard)
		require.NoError(t, f.Close())
	}
}

func TestInsmodBrokenLockNeedsAllowBroken(t *testing.T) {
	k := kernel.New()
	assert.ErrorIs(t, k.Insmod("counter", "lock=busted"), syscall.EINVAL)
	assert.Contains(t, lastDmesg(k), "counter: lock=busted refused: busted: a deliberately broken lock needs allow_broken=1")
	require.NoError(t, k.Insmod("counter", "lock=busted", "allow_broken=1"))
	require.NoError(t, k.WriteFile("/proc/counter", []byte("I")))
	assert.Equal(t, int64(1), readValue(t, k))
}

func TestInsmodCriticalSection(t *testing.T) {
	k := kernel.New()
	// An unbounded cs= would hold rmmod's final read, and the module
	// table's lock, for as long (issue 11, defect 5).
	for _, bad := range []string{"cs=fast", "cs=-1ns", "cs=100", "cs=1001us", "cs=9223372036854775807ns"} {
		assert.ErrorIs(t, k.Insmod("counter", bad), syscall.EINVAL, bad)
	}
	assert.Empty(t, k.Lsmod(), "a refused insmod loads nothing")
	require.NoError(t, k.Insmod("counter", "cs=1ms"), "the most is accepted")
	require.NoError(t, k.Rmmod("counter"))
	require.NoError(t, k.Insmod("counter", "lock=ttas", "cs=1us"))
	require.NoError(t, k.WriteFile("/proc/counter", []byte("D")))
	assert.Equal(t, int64(-1), readValue(t, k))
	assert.Equal(t, "1us", k.Lsmod()[0].Params["cs"])
}

// TestHugeLockValueShortError: a 1 MB lock= gives a short error, not a 2 MB
// one (issue 11, defect 9).
func TestHugeLockValueShortError(t *testing.T) {
	k := kernel.New()
	err := k.Insmod("counter", "lock="+strings.Repeat("x", 1<<20))
	require.ErrorIs(t, err, syscall.EINVAL)
	assert.Less(t, len(err.Error()), 1024, "the error quotes a prefix, not the megabyte")
	for _, line := range k.Dmesg() {
		assert.Less(t, len(line), 1024, "nor does the printk")
	}
}
