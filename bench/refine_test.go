package bench

import (
	"context"
	"math"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// fakeRun is a runner whose trials take no time: a fake clock advances by
// trialTime per trial, and each lock's ns/op comes from its generator.
type fakeRun struct {
	*runner
	clock time.Time
	log   []string // the lock of every trial, in order
}

func newFakeRun(t *testing.T, cfg Config, trialTime time.Duration, ns map[string]func() float64) *fakeRun {
	t.Helper()
	cfg.Goroutines = []int{2}
	cfg.Mixes = []Mix{MixInc}
	cfg.CS = []time.Duration{0}
	cfg.Paths = []string{"direct"}
	f := &fakeRun{runner: newRunner(context.Background(), cfg.withDefaults()), clock: time.Unix(1e9, 0)}
	f.now = func() time.Time { return f.clock }
	f.trial = func(spec Spec, _ string) (*timedResult, error) {
		f.clock = f.clock.Add(trialTime)
		f.log = append(f.log, spec.Lock)
		v := ns[spec.Lock]()
		return &timedResult{Result: &Result{Spec: spec, Ops: 1000, Elapsed: time.Duration(v * 1000)}}, nil
	}
	f.emit = func(*timedResult) error { return nil }
	return f
}

// noisy returns values around center, uniformly within ±spread.
func noisy(seed uint64, center, spread float64) func() float64 {
	rng := rand.New(rand.NewPCG(seed, seed))
	return func() float64 { return center * (1 + spread*(2*rng.Float64()-1)) }
}

// twoModes alternates between two values.
func twoModes(a, b float64) func() float64 {
	i := 0
	return func() float64 { i++; return [2]float64{a, b}[i%2] }
}

func (f *fakeRun) attempts(lock string) int {
	n := 0
	for _, l := range f.log {
		if l == lock {
			n++
		}
	}
	return n
}

// Four cells after the Count rounds: mutex converged, ticket wide, tas a
// little wide, mcs bimodal (the widest of all).
func fourCells() map[string]func() float64 {
	return map[string]func() float64{
		"mutex":  noisy(1, 10, 0.01),
		"ticket": noisy(2, 20, 0.3),
		"tas":    noisy(3, 30, 0.08),
		"mcs":    twoModes(10, 40),
	}
}

func TestRefineRoundsWithinTheBudget(t *testing.T) {
	cfg := Config{
		Locks:     []string{"mutex", "ticket", "tas", "mcs"},
		Count:     6,
		Duration:  100 * time.Millisecond,
		Precision: 0.05,
		Budget:    5 * time.Second,
	}
	f := newFakeRun(t, cfg, 100*time.Millisecond, fourCells())
	_, err := f.run()
	require.NoError(t, err)

	assert.Equal(t, 6, f.attempts("mutex"), "a converged cell gets no more trials")
	// A precision round runs every unconverged cell, in matrix order.
	require.Greater(t, len(f.log), 27)
	assert.Equal(t, []string{"ticket", "tas", "mcs"}, f.log[24:27])
	assert.Equal(t, 12, f.attempts("mcs"), "settled as bimodal at twice Count trials")
	// The budget: no trial starts that would end after it.
	elapsed := f.clock.Sub(time.Unix(1e9, 0))
	assert.LessOrEqual(t, elapsed, cfg.Budget)
	assert.Greater(t, elapsed, cfg.Budget-2*cfg.Duration, "the budget was spent, not abandoned early")
	assert.Less(t, f.attempts("ticket"), MaxSamples, "the budget ran out first")
}

func TestRefineSpendsTheLastOfTheBudgetOnTheWidest(t *testing.T) {
	// After the 24 trials of the Count rounds, 2.4 s, the budget has room
	// for two trials: the two widest cells, mcs and ticket.
	cfg := Config{
		Locks:     []string{"mutex", "ticket", "tas", "mcs"},
		Count:     6,
		Precision: 0.05,
		Budget:    2650 * time.Millisecond,
	}
	f := newFakeRun(t, cfg, 100*time.Millisecond, fourCells())
	_, err := f.run()
	require.NoError(t, err)
	assert.Equal(t, []string{"ticket", "mcs"}, f.log[24:])
}

func TestRefineStopsWhenEveryCellConverges(t *testing.T) {
	cfg := Config{Locks: []string{"mutex", "tas"}, Count: 6, Precision: 0.05, Budget: time.Hour}
	f := newFakeRun(t, cfg, 100*time.Millisecond, map[string]func() float64{
		"mutex": noisy(1, 10, 0.01),
		"tas":   noisy(3, 30, 0.08),
	})
	_, err := f.run()
	require.NoError(t, err)
	assert.Equal(t, 6, f.attempts("mutex"))
	assert.Greater(t, f.attempts("tas"), 6)
	assert.Less(t, f.attempts("tas"), MaxSamples, "±8% noise converges to ±5% well before the cap")
	assert.Less(t, f.clock.Sub(time.Unix(1e9, 0)), time.Hour)
}

func TestRefineWithoutBudgetStopsAtMaxSamples(t *testing.T) {
	cfg := Config{Locks: []string{"ticket"}, Count: 6, Precision: 0.01}
	f := newFakeRun(t, cfg, time.Second, map[string]func() float64{"ticket": noisy(2, 20, 0.5)})
	_, err := f.run()
	require.NoError(t, err)
	assert.Equal(t, MaxSamples, f.attempts("ticket"))
}

func TestNoPrecisionNoRefinement(t *testing.T) {
	cfg := Config{Locks: []string{"ticket"}, Count: 6}
	f := newFakeRun(t, cfg, time.Second, map[string]func() float64{"ticket": noisy(2, 20, 0.5)})
	_, err := f.run()
	require.NoError(t, err)
	assert.Equal(t, 6, f.attempts("ticket"))
}

func TestProgressRates(t *testing.T) {
	// 64 goroutines on 2 CPUs, a bare atomic add: each ran for however many
	// 1 ms windows the scheduler gave it, at the same rate, and two never ran.
	ops := make([]uint64, 64)
	windows := make([]uint64, 64)
	for i := range 62 {
		windows[i] = uint64(1 + i%17)
		ops[i] = 5000 * windows[i]
	}
	assert.Less(t, JainIndex(ops), 0.8, "raw counts blame the guard for the scheduler")
	rates := ProgressRates(ops, windows)
	assert.Len(t, rates, 62, "goroutines that never ran are left out")
	assert.InDelta(t, 1, JainIndex(rates), 1e-12)
	assert.InDelta(t, 1, MaxMinRatio(rates), 1e-12)

	// An unfair lock: one goroutine gets the lock 9 times in 10 while both
	// run all the time.
	rates = ProgressRates([]uint64{9000, 1000}, []uint64{100, 100})
	assert.InDelta(t, 100.0/(2*82), JainIndex(rates), 1e-12)
	assert.Equal(t, 9.0, MaxMinRatio(rates))

	// A goroutine that ran and never got the lock: rate 0.
	rates = ProgressRates([]uint64{9000, 0}, []uint64{100, 1})
	assert.InDelta(t, 0.5, JainIndex(rates), 1e-12)
	assert.False(t, math.IsInf(MaxMinRatio(rates), 0))
}
