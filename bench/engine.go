package bench

import (
	"context"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"runtime"
	"sync"
	"sync/atomic"
	"time"

	"github.com/lockbench/lockbench/internal/cacheline"
	"github.com/lockbench/lockbench/internal/cpuload"
	"github.com/lockbench/lockbench/internal/sample"
	"github.com/lockbench/lockbench/internal/work"
	"github.com/lockbench/lockbench/locks"
)

// The engine hands out work in chunks, issued as the mix's runs (see
// mixShape), each run one call of the client. Between chunks a goroutine
// checks whether to stop (a load of a read-mostly word) or takes its next
// chunk of a b.N budget (one atomic add). The engine adds nothing per
// operation; its costs are per chunk:
//
// Every chunk starts with one operation issued alone and timed: the latency
// sample. Two monotonic clock reads (tens of ns each) would dominate a
// chunk of cheap operations, so each goroutine sizes its chunks to last
// about chunkClocks clock reads: sampling then costs about 2/chunkClocks of
// the time, 1%, whatever an operation costs. Cheap operations (an
// uncontended atomic add) run in chunks of maxChunk, one sample in 2560
// operations; a contended FIFO lock's microsecond operations run in chunks of
// minChunk. A mix's proportions are kept exact over a trial by carrying
// what a chunk could not hold to the next (mixShape.split).
const (
	minChunk    = 10
	maxChunk    = 2560
	chunkClocks = 200
	// reservoirSize is each goroutine's latency sample capacity: a uniform
	// random sample of all its samples (reservoir sampling), so percentiles
	// cover the whole trial, not its end.
	reservoirSize = 4096
)

// clockCost is the cost of one monotonic clock read, measured once.
var clockCost = sync.OnceValue(func() time.Duration {
	base := time.Now()
	best := time.Duration(1<<63 - 1)
	for range 1000 {
		a := time.Since(base)
		best = min(best, time.Since(base)-a)
	}
	return max(best, time.Nanosecond)
})

// limiter says when the load stops: after a budget of operations (b.N) or
// when stop is set (a timed trial, or a cancelled context).
type limiter struct {
	budget atomic.Int64 // operations not yet handed out; budget mode only
	_      cacheline.Pad
	stop   atomic.Bool // set to end a timed trial
	timed  bool        // read-only: beside stop, which the workers read too
	_      cacheline.Pad
}

func budgetLimiter(ops int) *limiter {
	l := new(limiter)
	l.budget.Store(int64(ops))
	return l
}

func timedLimiter() *limiter { return &limiter{timed: true} }

// next returns the size of the caller's next chunk, at most want; 0 when the
// load is over.
func (l *limiter) next(want int) int {
	if l.stop.Load() {
		return 0
	}
	if l.timed {
		return want
	}
	left := l.budget.Add(-int64(want))
	switch {
	case left >= 0:
		return want
	case left > -int64(want):
		return int(left) + want
	}
	return 0
}

// worker is one goroutine's slot. Counts are kept in locals while the load
// runs and stored here once at the end; slots are padded so the final stores
// and the reads after them never share a line.
type worker struct {
	client   Client
	ops      uint64
	incs     uint64
	decs     uint64
	err      error
	samples  []int64 // latency samples in ns: a reservoir once full
	nsamples int     // samples taken, possibly more than len(samples)
	_        cacheline.Pad
}

// trial is one Spec attached and ready to run.
type trial struct {
	spec       Spec
	target     Target
	shape      mixShape
	thinkSteps int
	workers    []worker
	// pin, if not nil, binds worker i's goroutine to an OS thread on CPU
	// pin[i] for the whole load (see pinThread).
	pin []int
	// warmNet is the increments minus decrements of the warm-up load, which
	// the counter's final value includes.
	warmNet int64
	// unpinned counts the workers whose CPU refused them in the last run.
	unpinned int
	// countAllocs asks run to count the heap allocations of the load
	// alone, from the gate's opening to the last worker's end, into
	// mallocs and allocBytes (go test -bench counts its own).
	countAllocs         bool
	mallocs, allocBytes uint64
	// lockStats are the lock's statistics over the last run, if the spec
	// asked for them and the guard has a lock.
	lockStats *locks.StatSnapshot
}

// prepare attaches the counter and opens one client per goroutine.
func prepare(spec Spec, allowBroken bool, target string) (_ *trial, err error) {
	if spec.Goroutines < 1 {
		return nil, fmt.Errorf("bench: %s: goroutines must be at least 1", spec.Name())
	}
	shape, err := spec.Mix.shape()
	if err != nil {
		return nil, err
	}
	path, err := LookupPath(spec.Path)
	if err != nil {
		return nil, err
	}
	tgt, err := path.Attach(CounterConfig{Guard: spec.Guard, CS: spec.CS, AllowBroken: allowBroken, Stats: spec.Stats, Target: target})
	if err != nil {
		return nil, fmt.Errorf("bench: %s: %w", spec.Name(), err)
	}
	t := &trial{
		spec:       spec,
		target:     tgt,
		shape:      shape,
		thinkSteps: work.Steps(spec.Think),
		workers:    make([]worker, spec.Goroutines),
	}
	defer func() {
		if err != nil {
			t.close()
		}
	}()
	for i := range t.workers {
		c, err := tgt.NewClient()
		if err != nil {
			return nil, fmt.Errorf("bench: %s: %w", spec.Name(), err)
		}
		t.workers[i].client = c
		t.workers[i].samples = make([]int64, reservoirSize)
	}
	clockCost() // measured before any trial starts
	return t, nil
}

// load is the machine's CPU accounting at the start and end of a load (see
// package cpuload); ok is false where it cannot be read.
type load struct {
	start, end    time.Time
	before, after cpuload.Sample
	ok            bool
}

// interference is the share of the machine that went to others during the
// load; NaN where it could not be read.
func (l load) interference() float64 {
	if !l.ok {
		return math.NaN()
	}
	return cpuload.Interference(l.before, l.after)
}

// run drives the load until lim says stop and returns the elapsed time and
// the machine's CPU accounting around it. started, if not nil, is called
// just before the goroutines are released (a benchmark resets its timer
// there).
func (t *trial) run(lim *limiter, started func()) (time.Duration, load) {
	var wg sync.WaitGroup
	gate := make(chan struct{})
	pin := t.pin // read once: the workers must not see it change
	ready := make(chan error, len(t.workers))
	for i := range t.workers {
		w := &t.workers[i]
		wg.Go(func() {
			if pin != nil {
				ready <- pinThread(pin[i])
			}
			<-gate
			w.loop(lim, t.shape, t.thinkSteps, uint64(i)+1)
		})
	}
	if pin != nil {
		// Every worker is bound, or refused, before the load starts.
		// Pinning is an option of the measurement, not of the load: a
		// CPU that refuses it leaves that goroutine free, and the trial
		// says so (Result.Unpinned).
		for range t.workers {
			if err := <-ready; err != nil {
				t.unpinned++
			}
		}
	}
	var l load
	before, loadErr := cpuload.Take()
	var mallocs0, bytes0 uint64
	if t.countAllocs {
		mallocs0, bytes0 = allocs()
	}
	st, _ := t.target.(LockStatTarget)
	if st != nil && t.spec.Stats {
		st.ResetLockStats() // the warm-up's and an earlier run's are not this run's
	}
	// The trial's clock starts here, after the readings above: a slow
	// /proc/stat or ReadMemStats (which stops the world) on a loaded
	// machine must not eat the trial's time before its load starts.
	if started != nil {
		started()
	}
	start := time.Now()
	close(gate)
	wg.Wait()
	elapsed := time.Since(start)
	t.lockStats = nil
	if st != nil && t.spec.Stats {
		if s, ok := st.LockStats(); ok {
			t.lockStats = &s
		}
	}
	if t.countAllocs {
		mallocs1, bytes1 := allocs()
		t.mallocs, t.allocBytes = mallocs1-mallocs0, bytes1-bytes0
	}
	after, err := cpuload.Take()
	if loadErr == nil && err == nil {
		l = load{start: start, end: start.Add(elapsed), before: before, after: after, ok: true}
	}
	return elapsed, l
}

// warmUp runs the load for d, or until ctx is done, and discards what it
// measured, so that a trial's first moments stay out of its result: the
// workers' goroutine stacks growing, the new counter's cache lines and pages
// coming in, idle Ps' threads being woken, and each worker's chunk size
// converging from minChunk. The counter keeps the warm-up's operations,
// which finish accounts for.
func (t *trial) warmUp(ctx context.Context, d time.Duration) {
	if d <= 0 {
		return
	}
	lim := timedLimiter()
	var timer *time.Timer
	defer func() { timer.Stop() }()
	stopOnCancel := context.AfterFunc(ctx, func() { lim.stop.Store(true) })
	defer stopOnCancel()
	t.run(lim, func() { timer = time.AfterFunc(d, func() { lim.stop.Store(true) }) })
	for i := range t.workers {
		w := &t.workers[i]
		t.warmNet += int64(w.incs) - int64(w.decs)
		w.ops, w.incs, w.decs, w.nsamples = 0, 0, 0, 0
	}
}

// loop is one goroutine's load.
func (w *worker) loop(lim *limiter, shape mixShape, thinkSteps int, seed uint64) {
	var ops, incs, decs uint64
	c := w.client
	// issue performs k operations of one kind and counts those that succeed.
	// With think time, operations go one at a time with the work between.
	issue := func(kind opKind, k int) error {
		if thinkSteps == 0 {
			return issueRun(c, kind, k, &ops, &incs, &decs)
		}
		for ; k > 0; k-- {
			work.Spin(thinkSteps)
			if err := issueRun(c, kind, 1, &ops, &incs, &decs); err != nil {
				return err
			}
		}
		return nil
	}

	rng := rand.NewPCG(seed, seed) // for the reservoir
	target := chunkClocks * clockCost()
	size, done := minChunk, 0
	// Timestamps read only the monotonic clock, as offsets from base: one
	// clock read each rather than time.Now's wall and monotonic pair. Each
	// chunk reads the clock twice: at its start, which also ends the previous
	// chunk, and after its first operation.
	base := time.Now()
	start := time.Since(base)
	var err error
	carry := 0       // the mix's hundredths carried from chunk to chunk
	sampleCarry := 0 // the same for the sampled operations
	for err == nil {
		n := lim.next(size)
		if n == 0 {
			break
		}
		first, second := shape.split(n, &carry)
		kind, first, second := shape.sample(first, second, &sampleCarry)
		// The sample: the chunk's first operation, alone.
		t0 := time.Since(base)
		if elapsed := t0 - start; done > 0 && elapsed > 0 {
			// Size this chunk's successor from the last one's duration.
			size = int(float64(done) * float64(target) / float64(elapsed))
			size = min(max(size-size%minChunk, minChunk), maxChunk)
		}
		start, done = t0, n
		err = issue(kind, 1)
		w.sample(int64(time.Since(base)-t0), rng)
		if err == nil {
			err = issue(shape.first, first)
		}
		if err == nil {
			err = issue(shape.second, second)
		}
	}
	if err != nil {
		lim.stop.Store(true) // one failing goroutine ends the trial
	}
	w.ops, w.incs, w.decs, w.err = ops, incs, decs, err
}

// issueRun has the client perform k operations of one kind and counts those
// that succeed.
func issueRun(c Client, kind opKind, k int, ops, incs, decs *uint64) error {
	var done int
	var err error
	switch kind {
	case opInc:
		done, err = c.Inc(k)
		*incs += uint64(done)
	case opDec:
		done, err = c.Dec(k)
		*decs += uint64(done)
	case opRead:
		done, err = c.Read(k)
	}
	*ops += uint64(done)
	return err
}

// sample records one latency with reservoir sampling (Vitter's algorithm R):
// the k-th sample replaces a random slot with probability len/k.
func (w *worker) sample(ns int64, rng *rand.PCG) {
	w.nsamples++
	if w.nsamples <= len(w.samples) {
		w.samples[w.nsamples-1] = ns
		return
	}
	if j := rng.Uint64() % uint64(w.nsamples); j < uint64(len(w.samples)) {
		w.samples[j] = ns
	}
}

// Result is what one trial measured.
type Result struct {
	Spec         Spec
	Ops          uint64        // operations completed by all goroutines
	Writes       uint64        // of them, writes (I and D): the rest are reads
	Elapsed      time.Duration // wall time from release to the last goroutine's stop
	PerGoroutine []uint64      // operations per goroutine
	// Served is, per goroutine that took at least minServedSamples latency
	// samples, the median latency of its operations in ns: how long it
	// typically waits to be served (see Fairness).
	Served  []float64
	Latency Latency // sampled latency of one operation
	// Interference is the fraction of the machine's CPU capacity that went
	// to other processes or the hypervisor during the trial (package
	// cpuload); NaN where it could not be read.
	Interference float64
	// Speed is the machine's speed during the trial against its usual
	// speed in this process, from a probe before and after it (see
	// speedProbe): 1 is usual; 0 where it was not measured.
	Speed float64
	// Unpinned is how many goroutines of a pinned trial (Config.Pin) ran
	// unbound because their CPU refused them.
	Unpinned int
	// Tries is how many times the trial ran: more than one when the first
	// tries were disturbed (see Config.MaxInterference).
	Tries int
	// LockStats are the lock's statistics over the trial, when the spec
	// asked for them and the guard has a lock; nil otherwise.
	LockStats *locks.StatSnapshot
}

// Disturbance is what the trial measured of the machine while it ran.
func (r *Result) Disturbance() sample.Disturbance {
	return sample.Disturbance{Interference: r.Interference, Speed: r.Speed}
}

// NsPerOp is wall time per operation of the whole load, as go test -bench
// reports for parallel benchmarks.
func (r *Result) NsPerOp() float64 { return float64(r.Elapsed.Nanoseconds()) / float64(max(r.Ops, 1)) }

// WritesPerSec is the rate of the load's writes (I and D): under a read
// mix, how far the readers let writers through.
func (r *Result) WritesPerSec() float64 { return float64(r.Writes) / max(r.Elapsed.Seconds(), 1e-9) }

// OpsPerSec is the load's throughput.
func (r *Result) OpsPerSec() float64 { return float64(r.Ops) / max(r.Elapsed.Seconds(), 1e-9) }

// Fairness is Jain's index of the goroutines' service rates (see
// ServiceRates): 1 when the guard serves every goroutine alike, 1/n when it
// serves one and starves the rest.
func (r *Result) Fairness() float64 { return JainIndex(ServiceRates(r.Served)) }

// MaxMin is the slowest-served goroutine's median latency over the fastest
// one's (see ServiceRates for which goroutines count).
func (r *Result) MaxMin() float64 { return MaxMinRatio(r.Served) }

// CorrectnessError reports a trial whose counter did not end at the
// increments minus the decrements issued: the guard lost updates.
type CorrectnessError struct {
	Lock  string
	Trial string // the trial's full name, and its place in a run where known
	Got   int64  // the counter's final value
	Want  int64  // increments - decrements
}

func (e *CorrectnessError) Error() string {
	return fmt.Sprintf("bench: lock=%s: %s: counter is %d, want %d (increments - decrements): the guard lost updates",
		e.Lock, e.Trial, e.Got, e.Want)
}

// finish checks the trial's outcome and assembles its result. It does not
// close the trial.
func (t *trial) finish(elapsed time.Duration, name string) (*Result, error) {
	r := &Result{Spec: t.spec, Elapsed: elapsed, PerGoroutine: make([]uint64, len(t.workers)), Interference: math.NaN(), Tries: 1}
	want := t.warmNet
	var errs []error
	var samples []float64
	for i := range t.workers {
		w := &t.workers[i]
		if w.err != nil {
			errs = append(errs, fmt.Errorf("bench: %s: goroutine %d: %w", name, i, w.err))
		}
		r.PerGoroutine[i] = w.ops
		r.Ops += w.ops
		r.Writes += w.incs + w.decs
		want += int64(w.incs) - int64(w.decs)
		first := len(samples)
		for _, s := range w.samples[:min(w.nsamples, len(w.samples))] {
			samples = append(samples, float64(s))
		}
		if own := samples[first:]; len(own) >= minServedSamples {
			r.Served = append(r.Served, sample.Median(own))
		}
	}
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	if r.Ops == 0 {
		return nil, fmt.Errorf("bench: %s: no operation completed in %v with %d goroutines: not a result (a longer -duration, or fewer goroutines)",
			name, elapsed.Round(time.Microsecond), len(t.workers))
	}
	// Writes are due at the mix's rate in every worker's stream: none at all
	// where each worker was due two or more means they were shut out.
	if due := r.Ops * uint64(t.shape.perHundred) / 100; r.Writes == 0 && due >= 2*uint64(len(t.workers)) {
		return nil, fmt.Errorf("bench: %s: no write completed in %v beside %d reads: the readers starved the writers", name, elapsed.Round(time.Microsecond), r.Ops)
	}
	got, err := t.target.Value()
	if err != nil {
		return nil, fmt.Errorf("bench: %s: reading the final value: %w", name, err)
	}
	if got != want {
		return nil, &CorrectnessError{Lock: t.spec.Guard.Name(), Trial: name, Got: got, Want: want}
	}
	r.Latency = latencyOf(samples)
	r.LockStats = t.lockStats
	return r, nil
}

// close closes every client and detaches the counter.
func (t *trial) close() error {
	var errs []error
	for i := range t.workers {
		if c := t.workers[i].client; c != nil {
			errs = append(errs, c.Close())
		}
	}
	errs = append(errs, t.target.Close())
	return errors.Join(errs...)
}

// allocs returns the process's cumulative heap allocation count and bytes.
func allocs() (count, bytes uint64) {
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	return ms.Mallocs, ms.TotalAlloc
}
