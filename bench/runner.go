package bench

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"

	"golang.org/x/perf/benchfmt"
	"golang.org/x/perf/benchunit"

	"github.com/lockbench/lockbench/counter"
	"github.com/lockbench/lockbench/internal/sysinfo"
)

// Config is a matrix of trials for [Run]. Empty lists take the standard
// matrix's values.
type Config struct {
	Locks      []string        // guards; default every guard the counter accepts
	Goroutines []int           // default DefaultGoroutines()
	Mixes      []Mix           // default Mixes()
	CS         []time.Duration // default DefaultCS()
	Paths      []string        // default direct and proc
	Think      time.Duration   // busy work after each operation; default 0

	Duration time.Duration // of each trial; default 1s
	Count    int           // trials of each configuration; default 1

	// AllowBroken admits deliberately broken locks (busted) as guards, so
	// that a run can prove its correctness check bites.
	AllowBroken bool

	// Labels are extra configuration lines for the results, e.g.
	// "emulation: tcg" for a run inside an emulated guest.
	Labels []sysinfo.Config

	// Target is the file that path=file drives (a lockbench mount's
	// counter, a real kernel's /proc/counter). With only path=file, Locks
	// are labels for the results: the file's own guard is what it is.
	Target string

	// Output receives the results in the Go benchmark format as trials
	// finish; nil discards them.
	Output io.Writer
	// Progress, if set, is called before each trial.
	Progress func(Progress)
}

// Progress reports where a run is.
type Progress struct {
	Trial  int  // 1-based number of the trial about to run
	Trials int  // trials in the run
	Spec   Spec // the trial's configuration
}

// withDefaults fills the empty fields of c with the standard matrix.
func (c Config) withDefaults() Config {
	if len(c.Locks) == 0 {
		c.Locks = DefaultLocks()
	}
	if len(c.Goroutines) == 0 {
		c.Goroutines = DefaultGoroutines()
	}
	if len(c.Mixes) == 0 {
		c.Mixes = Mixes()
	}
	if len(c.CS) == 0 {
		c.CS = DefaultCS()
	}
	if len(c.Paths) == 0 {
		c.Paths = []string{"direct", "proc"}
	}
	if c.Duration == 0 {
		c.Duration = time.Second
	}
	if c.Count == 0 {
		c.Count = 1
	}
	return c
}

// Validate checks every value, so that a bad one fails the run before any
// trial, with an error naming it and the valid choices.
func (c Config) Validate() error {
	var errs []error
	onlyFile := len(c.Paths) > 0 && !slices.ContainsFunc(c.Paths, func(p string) bool { return p != "file" })
	if slices.Contains(c.Paths, "file") && c.Target == "" {
		errs = append(errs, errors.New("bench: path=file needs a target file (-target FILE)"))
	}
	for _, l := range c.Locks {
		if onlyFile {
			if l == "" || strings.ContainsAny(l, "/ ") {
				errs = append(errs, fmt.Errorf("bench: lock label %q for path=file must be non-empty, without / or spaces", l))
			}
			continue
		}
		if l == GuardXsync {
			if slices.ContainsFunc(c.Paths, func(p string) bool { return p != "direct" }) || len(c.Paths) == 0 {
				errs = append(errs, fmt.Errorf("bench: lock=%s is a benchmark baseline for path=direct only", GuardXsync))
			}
			continue
		}
		if err := counter.CheckGuard(l, c.AllowBroken); err != nil {
			errs = append(errs, fmt.Errorf("bench: %w", err))
		}
	}
	for _, g := range c.Goroutines {
		if g < 1 {
			errs = append(errs, fmt.Errorf("bench: goroutines must be at least 1, not %d", g))
		}
	}
	for _, m := range c.Mixes {
		if _, err := m.shape(); err != nil {
			errs = append(errs, err)
		}
	}
	for _, cs := range c.CS {
		if cs < 0 {
			errs = append(errs, fmt.Errorf("bench: negative critical section %v", cs))
		}
	}
	for _, p := range c.Paths {
		if _, err := LookupPath(p); err != nil {
			errs = append(errs, err)
		}
	}
	for _, l := range c.Labels {
		if l.Key == "" || strings.ContainsAny(l.Key, ": \t\n") || strings.ContainsAny(l.Value, "\n") {
			errs = append(errs, fmt.Errorf("bench: bad label %q: %q (want a key without spaces or colons, and a one-line value)", l.Key, l.Value))
		}
	}
	if c.Think < 0 {
		errs = append(errs, fmt.Errorf("bench: negative think time %v", c.Think))
	}
	if c.Duration < 0 {
		errs = append(errs, fmt.Errorf("bench: negative duration %v", c.Duration))
	}
	if c.Count < 0 {
		errs = append(errs, fmt.Errorf("bench: negative count %d", c.Count))
	}
	return errors.Join(errs...)
}

// Specs returns the matrix's configurations in the order of one round.
func (c Config) Specs() []Spec {
	c = c.withDefaults()
	var specs []Spec
	for _, path := range c.Paths {
		for _, mix := range c.Mixes {
			for _, cs := range c.CS {
				for _, g := range c.Goroutines {
					for _, lock := range c.Locks {
						specs = append(specs, Spec{Lock: lock, Goroutines: g, Mix: mix, CS: cs, Path: path, Think: c.Think})
					}
				}
			}
		}
	}
	return specs
}

// Run runs cfg's matrix: Count rounds, each running every configuration once
// for Duration (A B C A B C ..., so that drift in the machine hits all alike).
// Results go to cfg.Output in the Go benchmark format as they finish, after
// configuration lines describing the machine.
//
// A trial whose counter ends wrong, or whose operations fail, is an error
// that names the lock and the trial; it writes no result and the run goes on.
// Run returns the results that finished and the errors joined. If ctx is
// done, the trial in progress stops at once, is discarded, and Run returns
// what finished with ctx's error.
func Run(ctx context.Context, cfg Config) ([]*Result, error) {
	cfg = cfg.withDefaults()
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	out := cfg.Output
	if out == nil {
		out = io.Discard
	}
	w := benchfmt.NewWriter(out)
	for _, u := range unitMetadata() {
		if err := w.Write(u); err != nil {
			return nil, err
		}
	}
	fileConfig := machineConfig()
	for _, l := range cfg.Labels {
		fileConfig = append(fileConfig, benchfmt.Config{Key: l.Key, Value: []byte(l.Value), File: true})
	}

	specs := cfg.Specs()
	trials := len(specs) * cfg.Count
	var results []*Result
	var errs []error
	for round := range cfg.Count {
		for i, spec := range specs {
			if err := ctx.Err(); err != nil {
				return results, errors.Join(append(errs, err)...)
			}
			k := round*len(specs) + i + 1
			if cfg.Progress != nil {
				cfg.Progress(Progress{Trial: k, Trials: trials, Spec: spec})
			}
			name := fmt.Sprintf("trial %d of %d (%s)", k, trials, spec.Name())
			r, err := runTimed(ctx, spec, cfg, name)
			if ctx.Err() != nil {
				return results, errors.Join(append(errs, ctx.Err())...)
			}
			if err != nil {
				errs = append(errs, err)
				continue
			}
			results = append(results, r.Result)
			if err := w.Write(r.benchfmt(fileConfig)); err != nil {
				return results, errors.Join(append(errs, err)...)
			}
		}
	}
	return results, errors.Join(errs...)
}

// timedResult is a Result with the allocation counts a timed trial measures.
type timedResult struct {
	*Result
	allocsPerOp, bytesPerOp float64
}

// runTimed runs one trial for cfg.Duration, or until ctx is done.
func runTimed(ctx context.Context, spec Spec, cfg Config, name string) (*timedResult, error) {
	t, err := prepare(spec, cfg.AllowBroken, cfg.Target)
	if err != nil {
		return nil, err
	}
	defer t.close()

	lim := timedLimiter()
	stopOnCancel := context.AfterFunc(ctx, func() { lim.stop.Store(true) })
	defer stopOnCancel()
	timer := time.AfterFunc(cfg.Duration, func() { lim.stop.Store(true) })
	defer timer.Stop()

	count0, bytes0 := allocs()
	elapsed := t.run(lim, nil)
	count1, bytes1 := allocs()

	r, err := t.finish(elapsed, name)
	if err != nil {
		return nil, err
	}
	ops := float64(max(r.Ops, 1))
	return &timedResult{
		Result:      r,
		allocsPerOp: float64(count1-count0) / ops,
		bytesPerOp:  float64(bytes1-bytes0) / ops,
	}, nil
}

// benchfmt converts the result to a benchmark-format result with the same
// name and units as BenchmarkCounter reports.
func (r *timedResult) benchfmt(fileConfig []benchfmt.Config) *benchfmt.Result {
	res := &benchfmt.Result{
		Config: fileConfig,
		Name:   benchfmt.Name(r.Spec.FullName()),
		Iters:  int(r.Ops),
	}
	add := func(v float64, unit string) {
		v = roundSignificant(v, 4)
		tv, tu := benchunit.Tidy(v, unit)
		val := benchfmt.Value{Value: tv, Unit: tu}
		if tu != unit {
			val.OrigValue, val.OrigUnit = v, unit
		}
		res.Values = append(res.Values, val)
	}
	add(r.NsPerOp(), "ns/op")
	// Whole numbers per operation, as go test reports them: the runtime's own
	// background allocations (timers, GC) spread over millions of operations
	// are not the load's.
	add(math.Floor(r.bytesPerOp), "B/op")
	add(math.Floor(r.allocsPerOp), "allocs/op")
	for _, m := range r.metrics() {
		add(m.value, m.unit)
	}
	return res
}

// roundSignificant rounds v to digits significant digits, as go test's
// output does, so that result files stay readable.
func roundSignificant(v float64, digits int) float64 {
	if v == 0 || math.IsInf(v, 0) || math.IsNaN(v) {
		return v
	}
	// Formatting to the digits and parsing back gives the float nearest to the
	// rounded decimal, which prints as that decimal ("3.733e+08").
	r, _ := strconv.ParseFloat(strconv.FormatFloat(v, 'g', digits, 64), 64)
	return r
}

// metric is one custom measurement, as b.ReportMetric takes it.
type metric struct {
	value float64
	unit  string
}

// metrics returns the custom units both front doors report.
func (r *Result) metrics() []metric {
	ms := []metric{
		{r.OpsPerSec(), "ops/s"},
		{r.Fairness(), "fairness"},
		{r.MaxMin(), "max/min"},
	}
	if r.Latency.Samples >= minLatencySamples {
		ms = append(ms,
			metric{r.Latency.P50, "p50-ns"},
			metric{r.Latency.P99, "p99-ns"},
			metric{r.Latency.P999, "p999-ns"})
	}
	return ms
}

// machineConfig returns the file configuration lines describing the machine.
func machineConfig() []benchfmt.Config {
	var cfg []benchfmt.Config
	for _, c := range sysinfo.Describe() {
		cfg = append(cfg, benchfmt.Config{Key: c.Key, Value: []byte(c.Value), File: true})
	}
	return append(cfg, benchfmt.Config{Key: "pkg", Value: []byte("github.com/lockbench/lockbench/bench"), File: true})
}

// unitMetadata says which direction is better for the custom units, so that
// benchstat and lockbench report reads improvements the right way round.
func unitMetadata() []*benchfmt.UnitMetadata {
	var out []*benchfmt.UnitMetadata
	for _, u := range []struct{ unit, better string }{
		{"ops/s", "higher"},
		{"fairness", "higher"},
		{"max/min", "lower"},
		{"p50-ns", "lower"},
		{"p99-ns", "lower"},
		{"p999-ns", "lower"},
	} {
		out = append(out, &benchfmt.UnitMetadata{
			UnitMetadataKey: benchfmt.UnitMetadataKey{Unit: u.unit, Key: "better"},
			OrigUnit:        u.unit,
			Value:           u.better,
		})
	}
	return out
}
