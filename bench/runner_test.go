package bench

import (
	"bytes"
	"context"
	"errors"
	"math"
	"runtime"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/perf/benchfmt"

	"github.com/lockbench/lockbench/counter"
	"github.com/lockbench/lockbench/internal/race"
)

// TestRunWritesBenchmarkFormat runs a small matrix and parses the output back
// with benchfmt: every name, unit and configuration line must be there.
func TestRunWritesBenchmarkFormat(t *testing.T) {
	var out bytes.Buffer
	var progress []Progress
	cfg := Config{
		Guards:     guards("mutex", "ticket"),
		Goroutines: []int{1, 4},
		Mixes:      []Mix{MixIncDec},
		CS:         []time.Duration{0},
		Paths:      []string{"proc"},
		Duration:   30 * time.Millisecond,
		Warmup:     5 * time.Millisecond,
		Count:      2,
		Output:     &out,
		Progress:   func(p Progress) { progress = append(progress, p) },
	}
	results, err := Run(context.Background(), cfg)
	require.NoError(t, err)
	require.Len(t, results, 8)

	// Interleaved: A B C D A B C D.
	require.Len(t, progress, 8)
	for i, p := range progress {
		assert.Equal(t, i+1, p.Trial)
		assert.Equal(t, 8, p.Trials)
		assert.Equal(t, progress[i%4].Spec, p.Spec)
	}

	text := out.String()
	r := benchfmt.NewReader(&out, "run.txt")
	names := map[string]int{}
	units := map[string]bool{}
	var config *benchfmt.Result
	for r.Scan() {
		switch rec := r.Result().(type) {
		case *benchfmt.Result:
			names[string(rec.Name)]++
			config = rec.Clone()
			assert.Positive(t, rec.Iters)
			for _, v := range rec.Values {
				units[v.Unit] = true
				switch v.Unit {
				case "B/op", "allocs/op":
					assert.Zero(t, v.Value, "%s %s", rec.Name, v.Unit)
				case "interference":
					assert.True(t, v.Value >= 0 && v.Value <= 1, "%s %s %v", rec.Name, v.Unit, v.Value)
				default:
					assert.Positive(t, v.Value, "%s %s", rec.Name, v.Unit)
				}
			}
		case *benchfmt.SyntaxError:
			t.Errorf("syntax error: %v", rec)
		}
	}
	require.NoError(t, r.Err())

	procs := runtime.GOMAXPROCS(0)
	for _, lock := range []string{"mutex", "ticket"} {
		for _, g := range []int{1, 4} {
			name := (Spec{Guard: counter.MustParseGuard(lock), Goroutines: g, Mix: MixIncDec, Path: "proc"}).FullName()
			assert.Equal(t, 2, names[name], name)
			assert.True(t, strings.HasSuffix(name, "-"+strconv.Itoa(procs)), name)
		}
	}
	// benchfmt tidies units to base units, as benchstat shows them: p50-ns
	// is read back as p50-sec.
	for _, u := range []string{"sec/op", "B/op", "allocs/op", "ops/s", "fairness", "max/min", "p50-sec", "p99-sec", "p999-sec", "interference", "speed"} {
		assert.True(t, units[u], "unit %s missing; have %v", u, units)
	}
	require.NotNil(t, config)
	for _, key := range []string{"goos", "goarch", "cpu", "gomaxprocs", "go", "kernel", "lockbench", "pkg",
		"trial", "warmup", "pin", "max-interference", "max-speed-change"} {
		assert.NotEmpty(t, config.GetConfig(key), "configuration line %s", key)
	}
	assert.Contains(t, text, "Unit ops/s better=higher")
	assert.Contains(t, text, "Unit interference better=lower")
	assert.Equal(t, "5ms", config.GetConfig("warmup"))
	assert.Empty(t, config.GetConfig("precision"), "no precision asked for")
	assert.Contains(t, text, "ns/op")
	assert.Contains(t, text, "p99-ns")
}

func TestRunSpecsCoverTheMatrix(t *testing.T) {
	specs := Config{}.Specs()
	assert.Len(t, specs, len(counter.Guards())*len(DefaultGoroutines())*len(DefaultMixes())*2*2)
	seen := map[string]bool{}
	for _, s := range specs {
		assert.False(t, seen[s.Name()], "duplicate %s", s.Name())
		seen[s.Name()] = true
	}
	assert.True(t, seen["lock=sharded/g=1/mix=read90/cs=100ns/path=direct"])
	assert.Equal(t, "lock=mcs:park/g=8/mix=inc/cs=0/path=proc/think=1µs",
		Spec{Guard: counter.MustParseGuard("mcs"), Goroutines: 8, Mix: MixInc, Path: "proc", Think: time.Microsecond}.Name())
}

// TestRunCatchesBustedLock runs the deliberately broken lock as the guard:
// the correctness check must report lost updates, naming the lock and trial.
func TestRunCatchesBustedLock(t *testing.T) {
	cfg := Config{
		Guards:     guards("busted"),
		Goroutines: []int{8},
		Mixes:      []Mix{MixInc},
		CS:         []time.Duration{100 * time.Nanosecond},
		Paths:      []string{"direct", "proc"},
		Duration:   200 * time.Millisecond,
		Count:      5,
	}
	_, err := Run(context.Background(), cfg)
	require.Error(t, err, "busted is refused without AllowBroken")
	assert.Contains(t, err.Error(), "lock=busted is deliberately broken")

	cfg.AllowBroken = true
	var out bytes.Buffer
	cfg.Output = &out
	results, err := Run(context.Background(), cfg)
	var ce *CorrectnessError
	require.ErrorAs(t, err, &ce, "busted lost no update in %d trials", len(results))
	assert.Equal(t, "busted", ce.Lock)
	assert.Contains(t, ce.Error(), "bench: lock=busted: trial ")
	assert.Contains(t, ce.Error(), "lost updates")
	assert.NotEqual(t, ce.Got, ce.Want)
	// A failed trial writes no result: the file has a line per result returned.
	assert.Less(t, len(results), 10)
	assert.Equal(t, len(results), strings.Count(out.String(), "\nBenchmarkCounter/"))
}

func TestRunRejectsBadConfig(t *testing.T) {
	for _, tc := range []struct {
		cfg  Config
		want string
	}{
		{Config{Guards: []counter.Guard{{}}}, "the zero Guard is no guard"},
		{Config{Guards: labels("kernel-mutex"), Paths: []string{"direct"}}, "lock=kernel-mutex labels a counter outside lockbench, for path=file only"},
		{Config{Guards: guards("xsync"), Paths: []string{"direct", "proc"}}, "lock=xsync is a benchmark baseline for path=direct only"},
		{Config{Guards: guards("xsync"), Paths: []string{"direct"}, CS: []time.Duration{100 * time.Nanosecond}}, "lock=xsync takes no critical-section work"},
		{Config{Goroutines: []int{0}}, "goroutines must be at least 1, not 0"},
		{Config{Mixes: []Mix{"all"}}, `unknown mix "all"`},
		{Config{Paths: []string{"nfs"}}, `unknown path "nfs" (valid: `},
		{Config{Duration: -time.Second}, "negative duration"},
		{Config{CS: []time.Duration{-1}}, "critical section -1ns is not between 0 and 1ms"},
		{Config{CS: []time.Duration{time.Hour}}, "critical section 1h0m0s is not between 0 and 1ms"},
		{Config{Precision: math.NaN()}, "precision NaN is not a fraction"},
		{Config{MaxInterference: math.NaN()}, "maximum interference NaN is not a fraction"},
	} {
		var out bytes.Buffer
		tc.cfg.Output = &out
		_, err := Run(context.Background(), tc.cfg)
		require.Error(t, err)
		assert.Contains(t, err.Error(), tc.want)
		assert.Empty(t, out.String(), "nothing written for a bad config")
	}
}

// TestRunStopsOnCancel cancels a run in the middle of a long trial: Run must
// return promptly with what finished and the context's error.
func TestRunStopsOnCancel(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cfg := Config{
		Guards:     guards("atomic", "mutex"),
		Goroutines: []int{2},
		Mixes:      []Mix{MixInc},
		CS:         []time.Duration{0},
		Paths:      []string{"direct"},
		Duration:   time.Hour,
		Progress: func(p Progress) {
			if p.Trial == 1 {
				time.AfterFunc(50*time.Millisecond, cancel)
			}
		},
	}
	done := make(chan struct{})
	var results []*Result
	var err error
	go func() {
		defer close(done)
		results, err = Run(ctx, cfg)
	}()
	select {
	case <-done:
	case <-time.After(time.Minute):
		t.Fatal("Run did not stop after its context was cancelled")
	}
	assert.True(t, errors.Is(err, context.Canceled), "%v", err)
	assert.Empty(t, results, "the cut-short trial is discarded")
}

// TestBenchmarkCounterReportsMetrics runs the go test -bench front door once
// and checks its custom metrics.
func TestBenchmarkCounterReportsMetrics(t *testing.T) {
	spec := Spec{Guard: counter.MustParseGuard("ttas"), Goroutines: 2, Mix: MixRead90, Path: "proc"}
	r := testing.Benchmark(func(b *testing.B) { benchmarkCounter(b, spec) })
	require.Positive(t, r.N)
	for _, unit := range []string{"ops/s", "fairness", "max/min"} {
		assert.Positive(t, r.Extra[unit], unit)
	}
	assert.LessOrEqual(t, r.Extra["fairness"], 1.0)
	if !race.Enabled {
		assert.Zero(t, r.AllocsPerOp())
	}
}

// TestClientsAllocateNothing checks the hot path of every path and guard.
func TestClientsAllocateNothing(t *testing.T) {
	if race.Enabled {
		t.Skip("allocation counts are not meaningful under -race")
	}
	for _, path := range []string{"direct", "proc"} {
		for _, lock := range counter.Guards() {
			p, err := LookupPath(path)
			require.NoError(t, err)
			target, err := p.Attach(CounterConfig{Guard: lock})
			require.NoError(t, err)
			c, err := target.NewClient()
			require.NoError(t, err)
			allocs := testing.AllocsPerRun(20, func() {
				_, _ = c.Inc(10)
				_, _ = c.Dec(5)
				_, _ = c.Read(5)
			})
			assert.Zero(t, allocs, "path=%s lock=%s", path, lock)
			v, err := target.Value()
			require.NoError(t, err)
			assert.Equal(t, int64(21*5), v, "path=%s lock=%s", path, lock)
			require.NoError(t, c.Close())
			require.NoError(t, target.Close())
		}
	}
}

func TestRunWithThinkTime(t *testing.T) {
	var out bytes.Buffer
	results, err := Run(context.Background(), Config{
		Guards:     guards("ttas"),
		Goroutines: []int{3},
		Mixes:      []Mix{MixRead90},
		CS:         []time.Duration{100 * time.Nanosecond},
		Paths:      []string{"direct"},
		Think:      time.Microsecond,
		Duration:   20 * time.Millisecond,
		Output:     &out,
	})
	require.NoError(t, err)
	require.Len(t, results, 1)
	assert.Positive(t, results[0].Ops)
	assert.Contains(t, out.String(), "BenchmarkCounter/lock=ttas:yield/g=3/mix=read90/cs=100ns/path=direct/think=1µs-")
}

func TestXsyncBaseline(t *testing.T) {
	cfg := Config{
		Guards:     guards("xsync", "sharded"),
		Goroutines: []int{2},
		Mixes:      []Mix{MixIncDec},
		CS:         []time.Duration{0},
		Paths:      []string{"direct"},
		Duration:   20 * time.Millisecond,
	}
	results, err := Run(context.Background(), cfg)
	require.NoError(t, err)
	require.Len(t, results, 2)
	assert.Equal(t, "xsync", results[0].Spec.Guard.Name())
	assert.Positive(t, results[0].Ops)

	cfg.Paths = []string{"proc"}
	_, err = Run(context.Background(), cfg)
	assert.ErrorContains(t, err, "lock=xsync is a benchmark baseline for path=direct only")
}

// TestPinnedRun: with Pin, trials with no more goroutines than usable CPUs
// bind each to a CPU of its own; the run says so and its results are sound.
func TestPinnedRun(t *testing.T) {
	cpus := usableCPUs()
	if len(cpus) == 0 {
		t.Skip("no CPU affinity here")
	}
	var out bytes.Buffer
	results, err := Run(context.Background(), Config{
		Guards: guards("ticket", "atomic"), Goroutines: []int{1, len(cpus), 4 * len(cpus)},
		Mixes: []Mix{MixInc}, CS: []time.Duration{0}, Paths: []string{"direct"},
		Duration: 20 * time.Millisecond, Count: 1, Pin: true, Output: &out,
	})
	require.NoError(t, err)
	assert.Len(t, results, 6)
	assert.Contains(t, out.String(), "pin: on where g <= "+strconv.Itoa(len(cpus))+" usable CPUs")
	for _, r := range results {
		assert.Zero(t, r.Unpinned, "every CPU this process may use accepts its threads")
	}
}

func TestWarmUpKeepsTheCountExact(t *testing.T) {
	// The counter keeps the warm-up's operations; the check must count them.
	results, err := Run(context.Background(), Config{
		Guards: guards("mutex"), Goroutines: []int{4}, Mixes: []Mix{MixInc}, CS: []time.Duration{0},
		Paths: []string{"proc"}, Duration: 10 * time.Millisecond, Warmup: 10 * time.Millisecond, Count: 2,
	})
	require.NoError(t, err)
	require.Len(t, results, 2)
	for _, r := range results {
		assert.Positive(t, r.Ops)
		// Tries depends on what else the machine runs meanwhile.
		assert.True(t, r.Tries >= 1 && r.Tries <= 3, "tries %d", r.Tries)
		assert.Positive(t, r.Speed)
	}
}

func TestPinThreadBindsTheThread(t *testing.T) {
	cpus := usableCPUs()
	if len(cpus) < 1 {
		t.Skip("no CPU affinity here")
	}
	done := make(chan []int)
	go func() {
		assert.NoError(t, pinThread(cpus[len(cpus)-1]))
		done <- usableCPUs()
	}()
	assert.Equal(t, []int{cpus[len(cpus)-1]}, <-done, "the goroutine's thread runs on the one CPU")
	assert.Equal(t, cpus, usableCPUs(), "other threads are unaffected")
}

// TestRefusedPinDoesNotHang: a CPU that refuses a worker leaves it unbound;
// the trial runs, and says how many ran unbound.
func TestRefusedPinDoesNotHang(t *testing.T) {
	tr, err := prepare(Spec{Guard: counter.MustParseGuard("mutex"), Goroutines: 4, Mix: MixInc, Path: "direct"}, false, "")
	require.NoError(t, err)
	defer tr.close()
	tr.pin = []int{1 << 20, 1 << 20, 1 << 20, 1 << 20} // no such CPU: EINVAL
	lim := timedLimiter()
	stop := time.AfterFunc(10*time.Millisecond, func() { lim.stop.Store(true) })
	defer stop.Stop()
	done := make(chan struct{})
	go func() {
		tr.run(lim, nil)
		close(done)
	}()
	select {
	case <-done:
	case <-time.After(time.Minute):
		t.Fatal("the trial hung on a refused pin")
	}
	assert.Equal(t, 4, tr.unpinned)
	r, err := tr.finish(time.Millisecond, "refused pin")
	require.NoError(t, err)
	assert.Positive(t, r.Ops)
}

// TestWarmUpStopsOnCancel: Ctrl-C during a long warm-up stops it.
func TestWarmUpStopsOnCancel(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error)
	go func() {
		_, err := Run(ctx, Config{
			Guards: guards("mutex"), Goroutines: []int{2}, Mixes: []Mix{MixInc}, CS: []time.Duration{0},
			Paths: []string{"direct"}, Duration: time.Millisecond, Warmup: time.Hour, Count: 1,
		})
		done <- err
	}()
	time.Sleep(50 * time.Millisecond)
	cancel()
	select {
	case err := <-done:
		assert.ErrorIs(t, err, context.Canceled)
	case <-time.After(time.Minute):
		t.Fatal("an hour's warm-up did not stop on cancel")
	}
}

// idlePath's clients complete no operation: a trial of it measures nothing.
type idlePath struct{}

func (idlePath) Name() string                         { return "idle" }
func (idlePath) Attach(CounterConfig) (Target, error) { return idleTarget{}, nil }

type idleTarget struct{}

func (idleTarget) NewClient() (Client, error) { return idleTarget{}, nil }
func (idleTarget) Value() (int64, error)      { return 0, nil }
func (idleTarget) Close() error               { return nil }
func (idleTarget) Inc(int) (int, error)       { return 0, nil }
func (idleTarget) Dec(int) (int, error)       { return 0, nil }
func (idleTarget) Read(int) (int, error)      { return 0, nil }

func init() { RegisterPath(idlePath{}) }

// TestEmptyTrialIsAnError: a trial in which no operation completed is an
// error, not a result of 0 ops/s (issue 11).
func TestEmptyTrialIsAnError(t *testing.T) {
	var out bytes.Buffer
	results, err := Run(context.Background(), Config{
		Guards: guards("mutex"), Goroutines: []int{2}, Mixes: []Mix{MixInc}, CS: []time.Duration{0},
		Paths: []string{"idle"}, Duration: 5 * time.Millisecond, Count: 2, Output: &out,
	})
	assert.Empty(t, results)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "no operation completed in")
	assert.NotContains(t, out.String(), "BenchmarkCounter", "nothing is written as a result")
}

func TestTooManyGoroutines(t *testing.T) {
	err := Config{Goroutines: []int{MaxGoroutines + 1}}.Validate()
	require.Error(t, err)
	assert.Contains(t, err.Error(), "at most 4096 goroutines, not 4097 (each keeps 32 KiB of latency samples)")
	assert.NoError(t, Config{Goroutines: []int{MaxGoroutines}}.Validate())
}
