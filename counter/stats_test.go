package counter_test

import (
	"os"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/lockbench/lockbench/counter"
	"github.com/lockbench/lockbench/locks"
)

// Every sound lock guard's statistics count exactly one acquisition per
// operation, whatever the contention, and the counter stays exact.
func TestStatsAcquisitionsEqualOperations(t *testing.T) {
	for _, g := range counter.Guards() {
		if _, isLock := g.Lock(); !isLock {
			continue
		}
		t.Run("lock="+g.Name(), func(t *testing.T) {
			c, err := counter.New(g, counter.WithStats())
			require.NoError(t, err)
			const goroutines, each = 4, 2000
			var wg sync.WaitGroup
			for range goroutines {
				wg.Go(func() {
					for range each {
						c.Inc()
						_ = c.Value()
					}
				})
			}
			wg.Wait()
			require.Equal(t, int64(goroutines*each), c.Value())

			s, ok := c.LockStats()
			require.True(t, ok)
			ops, _ := g.Lock()
			writes := s.Count(locks.Writer, locks.Acquisitions)
			reads := s.Count(locks.Reader, locks.Acquisitions)
			switch {
			case ops.Seq:
				assert.Equal(t, uint64(goroutines*each), writes, "a seqlock's reads take no lock")
				assert.Zero(t, reads)
			case ops.RW:
				assert.Equal(t, uint64(goroutines*each), writes)
				assert.Equal(t, uint64(goroutines*each+1), reads, "the reads, and the check above")
			default:
				assert.Equal(t, uint64(2*goroutines*each+1), writes, "an exclusive lock's read takes it too")
			}
			assert.LessOrEqual(t, s.Total(locks.Contentions), writes+reads)

			c.ResetLockStats()
			s, _ = c.LockStats()
			assert.Zero(t, s.Total(locks.Acquisitions))
		})
	}
}

func TestStatsUncontendedIsNeverContended(t *testing.T) {
	for _, g := range counter.Guards() {
		if _, isLock := g.Lock(); !isLock {
			continue
		}
		c, err := counter.New(g, counter.WithStats())
		require.NoError(t, err)
		for range 10000 {
			c.Inc()
		}
		s, _ := c.LockStats()
		assert.Equal(t, uint64(10000), s.Count(locks.Writer, locks.Acquisitions), g.Name())
		assert.Zero(t, s.Total(locks.Contentions), "%s with one goroutine", g.Name())
		assert.Positive(t, s.Time(locks.Writer, locks.HoldTime).N, "%s: one hold in %d is timed", g.Name(), locks.HoldSampleEvery)
	}
}

func TestStatsOnlyForLocks(t *testing.T) {
	c, err := counter.New(counter.MustParseGuard("atomic"), counter.WithStats())
	require.NoError(t, err)
	_, ok := c.LockStats()
	assert.False(t, ok, "atomic has no lock to keep statistics of")

	c, err = counter.New(counter.MustParseGuard("ticket"))
	require.NoError(t, err)
	_, ok = c.LockStats()
	assert.False(t, ok, "statistics are off unless asked for")
}

// What the statistics say about the broken lock: every acquisition is
// counted, and its waits are rare and short, since its waiters walk in.
func TestStatsOfTheBrokenLock(t *testing.T) {
	c, err := counter.New(counter.MustParseGuard("busted"), counter.AllowBroken(), counter.WithStats())
	require.NoError(t, err)
	for range 100 {
		c.Inc()
	}
	s, ok := c.LockStats()
	require.True(t, ok)
	assert.Equal(t, uint64(100), s.Count(locks.Writer, locks.Acquisitions))
}

func TestProcLockStat(t *testing.T) {
	k := loadCounter(t, counter.Params{Guard: counter.MustParseGuard("ticket"), Stats: true}.Insmod()...)
	f, err := k.Open("/proc/counter", os.O_RDWR)
	require.NoError(t, err)
	for range 5 {
		_, err := f.Write([]byte("I\n"))
		require.NoError(t, err)
	}
	require.NoError(t, f.Close())

	got, err := k.ReadFile("/proc/lock_stat")
	require.NoError(t, err)
	line := classLine(t, string(got), "ticket:park:")
	fields := strings.Fields(line)
	require.Len(t, fields, 13, line)
	assert.Equal(t, "0", fields[2], "contentions: one writer")
	assert.Equal(t, "5", fields[8], "acquisitions: five writes")

	require.NoError(t, k.WriteFile("/proc/lock_stat", []byte("0\n")))
	got, err = k.ReadFile("/proc/lock_stat")
	require.NoError(t, err)
	assert.NotContains(t, string(got), "ticket:park", "cleared by writing 0: no line until the lock is used again")
	require.NoError(t, k.WriteFile("/proc/counter", []byte("I\n")))
	got, err = k.ReadFile("/proc/lock_stat")
	require.NoError(t, err)
	assert.Equal(t, "1", strings.Fields(classLine(t, string(got), "ticket:park:"))[8], "counting again")

	require.NoError(t, k.Rmmod("counter"))
	got, err = k.ReadFile("/proc/lock_stat")
	require.NoError(t, err)
	assert.NotContains(t, string(got), "ticket:park")
}

func TestProcLockStatOff(t *testing.T) {
	k := loadCounter(t, counter.Params{Guard: counter.MustParseGuard("ticket")}.Insmod()...)
	got, err := k.ReadFile("/proc/lock_stat")
	require.NoError(t, err)
	assert.NotContains(t, string(got), "ticket", "no class without stats=1")
}

func classLine(t *testing.T, text, prefix string) string {
	t.Helper()
	for line := range strings.Lines(text) {
		if strings.HasPrefix(strings.TrimSpace(line), prefix) {
			return line
		}
	}
	t.Fatalf("no %q line in\n%s", prefix, text)
	return ""
}
