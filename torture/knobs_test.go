package torture

import (
	"context"
	"runtime"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/lockbench/lockbench/locks"
)

// runFor tortures a new lock of the named strategy for d with cfg.
func runFor(t *testing.T, name string, d time.Duration, cfg Config) Result {
	t.Helper()
	ops, err := locks.Lookup(name)
	require.NoError(t, err)
	if cfg.Nested > 1 && cfg.NewLock == nil {
		cfg.NewLock = ops.New
	}
	ctx, cancel := context.WithTimeout(context.Background(), d)
	defer cancel()
	return Run(ctx, ops.New(), cfg)
}

func TestStutterPausesEveryWorker(t *testing.T) {
	var mu sync.Mutex
	var paused []Result
	r := runFor(t, "ticket", 300*time.Millisecond, Config{Writers: 2, Readers: 1, Stutter: 20 * time.Millisecond,
		StatInterval: 2 * time.Millisecond, Stat: func(r Result) {
			if r.Paused {
				mu.Lock()
				paused = append(paused, r)
				mu.Unlock()
			}
		}})
	assert.False(t, r.Failed())
	assert.GreaterOrEqual(t, r.Pauses, 2, "run 20ms, pause 20ms, for 300ms")
	require.NotEmpty(t, paused, "statistics taken during a pause")
	// Within one pause, at most the acquisitions in flight when it began
	// complete: one per worker.
	for i := 1; i < len(paused); i++ {
		if paused[i].Pauses == paused[i-1].Pauses {
			assert.LessOrEqual(t, paused[i].Total()+paused[i].ReadTotal()-paused[i-1].Total()-paused[i-1].ReadTotal(), uint64(3),
				"workers acquire while paused")
		}
	}
}

func TestShuffleRespawnsTheWorkers(t *testing.T) {
	r := runFor(t, "mcs", 200*time.Millisecond, Config{Writers: 3, Readers: 0, Shuffle: 10 * time.Millisecond})
	assert.False(t, r.Failed())
	assert.GreaterOrEqual(t, r.Shuffles, 2)
	for i, n := range r.Writes {
		assert.Positive(t, n, "writer %d kept its slot across goroutines", i)
	}
}

// procsSeen records GOMAXPROCS inside every critical section.
type procsSeen struct {
	inner locks.Lock
	mu    sync.Mutex
	seen  map[int]bool
}

func (l *procsSeen) Unlock() { l.inner.Unlock() }

func (l *procsSeen) Lock() {
	l.inner.Lock()
	l.mu.Lock()
	l.seen[runtime.GOMAXPROCS(0)] = true
	l.mu.Unlock()
}

func TestOnOffTakesPsAwayAndGivesThemBack(t *testing.T) {
	procs := runtime.GOMAXPROCS(0)
	if procs < 2 {
		t.Skip("GOMAXPROCS=1: there is no P to take offline")
	}
	l := &procsSeen{inner: new(locks.Ticket), seen: map[int]bool{}}
	ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
	defer cancel()
	r := Run(ctx, l, Config{Writers: 4, OnOff: 20 * time.Millisecond, OnOffHoldoff: 10 * time.Millisecond})
	assert.False(t, r.Failed())
	assert.GreaterOrEqual(t, r.OnOffs, 2)
	assert.True(t, l.seen[1], "critical sections with one P: %v", l.seen)
	assert.True(t, l.seen[procs], "critical sections with every P: %v", l.seen)
	assert.Equal(t, procs, runtime.GOMAXPROCS(0), "restored")
}

// TestLongHoldHoldsTheLock: with every acquisition a long hold, no two
// complete within one hold of each other.
func TestLongHoldHoldsTheLock(t *testing.T) {
	const hold = 20 * time.Millisecond
	r := runFor(t, "ticket:park", 150*time.Millisecond, Config{Writers: 3, LongHold: hold, LongHoldEvery: 1})
	assert.False(t, r.Failed())
	assert.Positive(t, r.Total())
	// Each acquisition held the lock for the hold, but for the last of
	// each writer, cut short when the run stopped.
	assert.LessOrEqual(t, r.Total(), uint64(r.Elapsed/hold)+3, "each acquisition held the lock for %v", hold)
}

func TestNestedLocksAreEachChecked(t *testing.T) {
	r := runFor(t, "ttas", 100*time.Millisecond, Config{Writers: 4, Nested: 3})
	assert.False(t, r.Failed())
	assert.Positive(t, r.Total())

	// A broken inner lock is caught though the outer one is sound.
	busted, err := locks.Lookup("busted")
	require.NoError(t, err)
	ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
	defer cancel()
	var made int
	r = Run(ctx, new(locks.TTAS), Config{Writers: 4, Nested: 2, StopOnFailure: true, NewLock: func() locks.Lock {
		made++
		return busted.New()
	}})
	assert.Equal(t, 1, made, "the outer lock is the one given to Run")
	assert.False(t, r.Failed(), "the sound outer lock keeps the broken inner one's holders to one")

	// Taken in the other order, the broken lock outermost, two writers meet
	// inside it: the inner sound lock serialises them, but the outer's
	// holder count sees both.
	ctx, cancel = context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	r = Run(ctx, busted.New(), Config{Writers: 4, Nested: 2, StopOnFailure: true, NewLock: func() locks.Lock { return new(locks.TTAS) }})
	assert.True(t, r.Failed(), "the broken outer lock: %d violations in %d acquisitions", r.Violations, r.Total())
}

// TestMisorderedNestingIsReportedAsADeadlock: two writers taking two locks
// in opposite orders deadlock; the watchdog ends the run and says who
// holds and waits for what, rather than hang.
func TestMisorderedNestingIsReportedAsADeadlock(t *testing.T) {
	procs := runtime.GOMAXPROCS(0)
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	r := Run(ctx, new(locks.Ticket), Config{Writers: 2, Nested: 2, NewLock: func() locks.Lock { return new(locks.Ticket) },
		LongHold: time.Millisecond, LongHoldEvery: 1, Stall: 300 * time.Millisecond, misorder: true})
	require.NoError(t, ctx.Err(), "the watchdog ended the run, not the test's timeout")
	assert.True(t, r.Stalled)
	assert.True(t, r.Failed())
	require.Len(t, r.Stuck, 2, "both writers are stuck")
	for _, s := range r.Stuck {
		assert.Contains(t, s, "holds 1 of 2 locks, waits for lock")
		assert.Contains(t, s, "held, 1 waiting", "the lock it waits for, described")
	}
	assert.Equal(t, procs, runtime.GOMAXPROCS(0))
}

func TestAcqLimitKeepsTheLongestWait(t *testing.T) {
	r := runFor(t, "ticket", 150*time.Millisecond, Config{Writers: 3, LongHold: 10 * time.Millisecond, LongHoldEvery: 1,
		AcqLimit: 2 * time.Millisecond})
	assert.False(t, r.Failed(), "waiting long is reported, not a failure")
	assert.Positive(t, r.OverLimit)
	assert.Greater(t, r.LongestWait, 2*time.Millisecond)
	assert.Contains(t, r.LongestState, "owner=", "the ticket lock's words")

	r = runFor(t, "ticket", 50*time.Millisecond, Config{Writers: 2})
	assert.Zero(t, r.OverLimit, "off by default")
	assert.Empty(t, r.LongestState)
}

// TestLongHoldEndsWithTheRun: a run that stops (its time is up, or a
// failure was found) while a writer is in a long hold ends then, not when
// the hold would have (busted under -long-hold 4s took 4 s to report the
// failure it found at once).
func TestLongHoldEndsWithTheRun(t *testing.T) {
	const hold = 20 * time.Second
	r := runFor(t, "ticket", 100*time.Millisecond, Config{Writers: 3, LongHold: hold, LongHoldEvery: 1})
	assert.False(t, r.Failed())
	assert.Less(t, r.Elapsed, hold, "the run waited out a long hold after it stopped")
}

// everyKnob is each knob alone, then all of them together.
func everyKnob() map[string]Config {
	all := Config{Stutter: 30 * time.Millisecond, Shuffle: 15 * time.Millisecond, OnOff: 20 * time.Millisecond,
		OnOffHoldoff: 5 * time.Millisecond, LongHold: time.Millisecond, LongHoldEvery: 64, Nested: 2,
		AcqLimit: 5 * time.Millisecond, Stall: 5 * time.Second}
	return map[string]Config{
		"stutter":   {Stutter: all.Stutter},
		"shuffle":   {Shuffle: all.Shuffle},
		"onoff":     {OnOff: all.OnOff, OnOffHoldoff: all.OnOffHoldoff},
		"long-hold": {LongHold: all.LongHold, LongHoldEvery: all.LongHoldEvery},
		"nested":    {Nested: all.Nested},
		"acq-limit": {AcqLimit: all.AcqLimit},
		"all":       all,
	}
}

// TestBustedFailsUnderEveryKnob: no knob blinds the checker; the broken
// lock fails within 5 seconds whichever is on.
func TestBustedFailsUnderEveryKnob(t *testing.T) {
	for knob, cfg := range everyKnob() {
		cfg.Writers, cfg.StopOnFailure = 4, true
		r := runFor(t, "busted", 5*time.Second, cfg)
		assert.True(t, r.Failed(), "%s: busted survived %d acquisitions in %v", knob, r.Total(), r.Elapsed)
		assert.False(t, r.Stalled, "%s: caught by the checks, not the watchdog", knob)
	}
}

// TestSoundLocksPassEveryKnob: every sound lock and waiting policy
// survives all the knobs together (a short run; the 10 s runs are the
// closing note's).
func TestSoundLocksPassEveryKnob(t *testing.T) {
	procs := runtime.GOMAXPROCS(0)
	names := append(locks.Names(), locks.Variants()...)
	for _, name := range names {
		cfg := everyKnob()["all"]
		cfg.Writers, cfg.Readers = 4, 2
		r := runFor(t, name, 150*time.Millisecond, cfg)
		assert.False(t, r.Failed(), "%s: %d violations, %d lost, stalled %v %v", name, r.Violations, r.Lost, r.Stalled, r.Stuck)
		assert.Positive(t, r.Total(), "%s", name)
	}
	assert.Equal(t, procs, runtime.GOMAXPROCS(0))
}
