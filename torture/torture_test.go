package torture_test

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/lockbench/lockbench/locks"
	"github.com/lockbench/lockbench/torture"
)

func TestFixedAcquisitions(t *testing.T) {
	r := torture.Run(context.Background(), new(locks.Mutex), torture.Config{Writers: 4, Acquisitions: 1000})
	require.Len(t, r.Writes, 4)
	assert.Equal(t, uint64(4000), r.Total())
	max, min := r.MaxMin()
	assert.Equal(t, uint64(1000), max)
	assert.Equal(t, uint64(1000), min)
	assert.False(t, r.Failed())
	assert.Positive(t, r.Elapsed)
}

func TestDefaultWritersIsGOMAXPROCS(t *testing.T) {
	r := torture.Run(context.Background(), new(locks.TTAS), torture.Config{Acquisitions: 10})
	assert.NotEmpty(t, r.Writes)
}

// TestContextStopsRun checks that an unbounded run ends when its context
// does and reports what finished.
func TestContextStopsRun(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	r := torture.Run(ctx, new(locks.Ticket), torture.Config{Writers: 3})
	assert.Positive(t, r.Total())
	assert.False(t, r.Failed())
	assert.Equal(t, int64(0), r.Lost)
}

func TestResultFailed(t *testing.T) {
	assert.True(t, torture.Result{Violations: 1}.Failed())
	assert.True(t, torture.Result{Lost: 2}.Failed())
	assert.False(t, torture.Result{Writes: []uint64{3, 4}}.Failed())
	max, min := torture.Result{Writes: []uint64{5, 2, 9}}.MaxMin()
	assert.Equal(t, uint64(9), max)
	assert.Equal(t, uint64(2), min)
}

// TestBustedFails runs the broken lock until the checker catches it; the
// context only bounds a checker that has stopped biting.
func TestBustedFails(t *testing.T) {
	ops, err := locks.Lookup("busted")
	require.NoError(t, err)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	r := torture.Run(ctx, ops.New(), torture.Config{Writers: 4, StopOnFailure: true})
	assert.True(t, r.Failed(), "busted survived %d acquisitions", r.Total())
}

func TestStatsArePeriodic(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 120*time.Millisecond)
	defer cancel()
	var stats []torture.Result
	r := torture.Run(ctx, new(locks.TAS), torture.Config{
		Writers:      2,
		StatInterval: 20 * time.Millisecond,
		Stat:         func(r torture.Result) { stats = append(stats, r) },
	})
	require.NotEmpty(t, stats)
	for i := 1; i < len(stats); i++ {
		assert.GreaterOrEqual(t, stats[i].Total(), stats[i-1].Total(), "counts only grow")
	}
	assert.GreaterOrEqual(t, r.Total(), stats[len(stats)-1].Total())
}
