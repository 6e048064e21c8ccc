package bench

import (
	"context"
	"math/rand/v2"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/lockbench/lockbench/internal/sample"
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
		lock, _, _ := strings.Cut(spec.Guard.Name(), ":") // "ticket", not "ticket:park"
		f.log = append(f.log, lock)
		v := ns[lock]()
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
		"ticket": noisy(2, 20, 0.1),
		"tas":    noisy(3, 30, 0.08),
		"mcs":    twoModes(10, 40),
	}
}

func TestRefineRoundsWithinTheBudget(t *testing.T) {
	cfg := Config{
		Guards:    guards("mutex", "ticket", "tas", "mcs"),
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
	// for two trials: the two widest cells, mcs (bimodal) and ticket (±30%
	// noise), not tas (±8%).
	cfg := Config{
		Guards:    guards("mutex", "ticket", "tas", "mcs"),
		Count:     6,
		Precision: 0.05,
		Budget:    2650 * time.Millisecond,
	}
	cells := fourCells()
	cells["ticket"] = noisy(2, 20, 0.3)
	f := newFakeRun(t, cfg, 100*time.Millisecond, cells)
	_, err := f.run()
	require.NoError(t, err)
	assert.Equal(t, []string{"ticket", "mcs"}, f.log[24:])
}

func TestRefineStopsWhenEveryCellConverges(t *testing.T) {
	cfg := Config{Guards: guards("mutex", "tas"), Count: 6, Precision: 0.05, Budget: time.Hour}
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

func TestRefineWithoutBudgetEnds(t *testing.T) {
	// No budget: a cell refines until it converges or is out of reach,
	// never past MaxSamples.
	cfg := Config{Guards: guards("ticket"), Count: 6, Precision: 0.005}
	f := newFakeRun(t, cfg, time.Second, map[string]func() float64{"ticket": noisy(2, 20, 0.015)})
	_, err := f.run()
	require.NoError(t, err)
	assert.Greater(t, f.attempts("ticket"), 12)
	assert.LessOrEqual(t, f.attempts("ticket"), MaxSamples)
}

func TestRefineLeavesCellsOutOfReachForLast(t *testing.T) {
	// ±50% noise against a ±5% target: after three times Count trials its
	// interval would need some 18·(0.4/0.05)² trials, over four times
	// MaxSamples. Without a budget it stops there; with one, it waits until
	// the other cells have converged.
	cells := func() map[string]func() float64 {
		return map[string]func() float64{
			"ticket": noisy(2, 20, 0.5),
			"tas":    noisy(3, 30, 0.12),
			"mutex":  noisy(4, 10, 0.12),
		}
	}
	cfg := Config{Guards: guards("ticket", "tas", "mutex"), Count: 6, Precision: 0.05}
	f := newFakeRun(t, cfg, time.Second, cells())
	_, err := f.run()
	require.NoError(t, err)
	assert.Equal(t, 18, f.attempts("ticket"))
	assert.LessOrEqual(t, sample.Summarize(f.samples[1]).RelHalfWidth(), 0.05, "tas converged")
	assert.LessOrEqual(t, sample.Summarize(f.samples[2]).RelHalfWidth(), 0.05, "mutex converged")

	cfg.Budget = 200 * time.Second
	f = newFakeRun(t, cfg, time.Second, cells())
	_, err = f.run()
	require.NoError(t, err)
	// ticket waits at 18 trials until tas and mutex have converged; then
	// the rest of the budget goes to it.
	last := 0
	for i, l := range f.log {
		if l != "ticket" {
			last = i
		}
	}
	before := 0
	for _, l := range f.log[:last+1] {
		if l == "ticket" {
			before++
		}
	}
	assert.Equal(t, 18, before, "no trial of ticket while others could converge")
	assert.Greater(t, f.attempts("ticket"), 18, "the budget left goes to it")
	assert.LessOrEqual(t, f.clock.Sub(time.Unix(1e9, 0)), cfg.Budget)
}

func TestRefineSkipsFailingCells(t *testing.T) {
	cfg := Config{Guards: guards("busted", "tas"), Count: 6, Precision: 0.05, Budget: time.Hour}
	f := newFakeRun(t, cfg, time.Second, map[string]func() float64{"tas": noisy(3, 30, 0.08)})
	trial := f.trial
	f.trial = func(spec Spec, name string) (*timedResult, error) {
		if spec.Guard.Name() == "busted" {
			f.log = append(f.log, spec.Guard.Name())
			return nil, &CorrectnessError{Lock: spec.Guard.Name(), Trial: name, Got: 1, Want: 2}
		}
		return trial(spec, name)
	}
	_, err := f.run()
	var ce *CorrectnessError
	require.ErrorAs(t, err, &ce)
	assert.Equal(t, 6, f.attempts("busted"), "a failing cell is not refined")
	assert.Greater(t, f.attempts("tas"), 6)
}

func TestRefineFromOneRound(t *testing.T) {
	// With -count 1 a cell has no interval until it has 6 trials: that is
	// not "out of reach", however many rounds it takes.
	cfg := Config{Guards: guards("mutex"), Count: 1, Precision: 0.05}
	f := newFakeRun(t, cfg, time.Second, map[string]func() float64{"mutex": noisy(1, 10, 0.01)})
	_, err := f.run()
	require.NoError(t, err)
	assert.GreaterOrEqual(t, f.attempts("mutex"), 6)
	assert.LessOrEqual(t, sample.Summarize(f.samples[0]).RelHalfWidth(), 0.05)
}

func TestNoPrecisionNoRefinement(t *testing.T) {
	cfg := Config{Guards: guards("ticket"), Count: 6}
	f := newFakeRun(t, cfg, time.Second, map[string]func() float64{"ticket": noisy(2, 20, 0.5)})
	_, err := f.run()
	require.NoError(t, err)
	assert.Equal(t, 6, f.attempts("ticket"))
}

func TestServiceRates(t *testing.T) {
	// 64 goroutines on 2 CPUs, a bare atomic add: each is served alike when
	// it runs (50 ns sampled latency), however many time slices it got.
	medians := make([]float64, 64)
	for i := range medians {
		medians[i] = 50
	}
	assert.InDelta(t, 1, JainIndex(ServiceRates(medians)), 1e-12)
	assert.Equal(t, 1.0, MaxMinRatio(medians))

	// An unfair lock: one goroutine is served in 20 ns, the other waits 2 µs.
	rates := ServiceRates([]float64{20, 2000})
	assert.InDelta(t, 0.51, JainIndex(rates), 0.01)
	assert.Equal(t, 100.0, MaxMinRatio([]float64{20, 2000}))
	assert.Empty(t, ServiceRates(nil))
}
