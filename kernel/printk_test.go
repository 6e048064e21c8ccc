package kernel_test

import (
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/lockbench/lockbench/kernel"
)

// fixedClock returns a clock that advances by step on every call, starting
// at start, for reproducible dmesg lines.
func fixedClock(start, step time.Duration) func() time.Duration {
	var mu sync.Mutex
	t := start - step
	return func() time.Duration {
		mu.Lock()
		defer mu.Unlock()
		t += step
		return t
	}
}

func TestDmesgFormat(t *testing.T) {
	k := kernel.New(kernel.WithClock(fixedClock(3424143*time.Microsecond, time.Second)))
	k.Printk(kernel.KernInfo, "counter: loaded, lock=%s\n", "ticket")
	lines := k.Dmesg()
	require.Len(t, lines, 2)
	assert.Equal(t, "[    3.424143] Linux version lockbench (simulated kernel)", lines[0])
	assert.Equal(t, "[    4.424143] counter: loaded, lock=ticket", lines[1], "trailing newline ends the record")

	recs := k.LogRecords()
	assert.Equal(t, uint64(1), recs[1].Seq)
	assert.Equal(t, kernel.KernInfo, recs[1].Level)
}

func TestLevelNames(t *testing.T) {
	want := []string{"emerg", "alert", "crit", "err", "warn", "notice", "info", "debug"}
	for l := kernel.KernEmerg; l <= kernel.KernDebug; l++ {
		assert.Equal(t, want[l], l.String())
	}
	assert.Equal(t, "level(9)", kernel.Level(9).String())
}

func TestRingBufferDropsOldest(t *testing.T) {
	k := kernel.New(kernel.WithLogBuffer(4), kernel.WithClock(fixedClock(0, time.Millisecond)))
	for i := range 9 {
		k.Printk(kernel.KernDebug, "message %d", i)
	}
	// 10 records in all (boot banner + 9): the first 6 were dropped.
	recs := k.LogRecords()
	require.Len(t, recs, 4)
	for i, r := range recs {
		assert.Equal(t, uint64(6+i), r.Seq)
		assert.Equal(t, fmt.Sprintf("message %d", 5+i), r.Text)
	}
	lines := k.Dmesg()
	require.Len(t, lines, 5)
	assert.Equal(t, "** 6 printk messages dropped **", lines[0])
	assert.Equal(t, "[    0.006000] message 5", lines[1])
}

func TestPrintkConcurrentWriters(t *testing.T) {
	const writers, each = 8, 500
	k := kernel.New(kernel.WithLogBuffer(writers*each + 1))
	var wg sync.WaitGroup
	for w := range writers {
		wg.Go(func() {
			for i := range each {
				k.Printk(kernel.KernInfo, "w%d %d", w, i)
			}
		})
	}
	wg.Wait()

	recs := k.LogRecords()
	require.Len(t, recs, writers*each+1)
	next := make([]int, writers)
	for i, r := range recs {
		assert.Equal(t, uint64(i), r.Seq, "sequence numbers are dense")
		if i > 0 {
			assert.GreaterOrEqual(t, r.Time, recs[i-1].Time, "timestamps never go back")
		}
		var w, n int
		if _, err := fmt.Sscanf(r.Text, "w%d %d", &w, &n); err == nil {
			assert.Equal(t, next[w], n, "each writer's records stay in order")
			next[w]++
		}
	}
	for w := range writers {
		assert.Equal(t, each, next[w])
	}
}
