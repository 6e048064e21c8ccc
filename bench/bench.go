// Package bench drives increment/decrement loads at the counter module and
// measures throughput, fairness and tail latency. One measurement engine
// has two front doors:
//
//   - BenchmarkCounter, for go test -bench, sized by b.N;
//   - [Run], for lockbench's CLI, which runs fixed-duration trials of a
//     configured matrix and writes the Go benchmark format with
//     golang.org/x/perf/benchfmt.
//
// Both name results the same way, with key=value sub-benchmark names that
// benchstat can slice (-col /lock, -row /g):
//
//	Counter/lock=ticket:park/g=8/mix=inc/cs=0/path=proc
//
// and report the same units: ns/op and allocs/op, ops/s, fairness (Jain's
// index of the rates at which the guard serves each goroutine, 1/its median
// operation latency, 1 = perfectly fair; see ServiceRates for why not
// operation counts), max/min (the slowest-served goroutine's median latency
// over the fastest one's, locktorture's starvation hint), the latency
// percentiles p50-ns, p99-ns and p999-ns of sampled operations, and what
// the trial measured of its own disturbance: interference (the share of the
// machine's CPU time that went to other work, package cpuload) and speed
// (how fast a fixed probe ran around it against the usual; see speedProbe).
//
// The runner also warms each trial up, retries disturbed trials, and, with
// a precision, adds trials to the configurations that have not converged
// within a time budget (Config).
//
// Every trial checks the counter: its final value must equal the increments
// minus the decrements issued, or the trial is an error naming the lock.
//
// The load reaches the counter through a [Path]: "direct" calls the counter's
// Go methods, "proc" writes "I" and "D" to an open /proc/counter file of a
// simulated kernel, through the code a user's write takes.
package bench

import (
	"fmt"
	"runtime"
	"strings"
	"time"

	"github.com/lockbench/lockbench/counter"
)

// Mix is a workload's blend of operations.
type Mix string

// The mixes. A read reads the value through the guard's read side: a
// reader-writer lock's RLock, a seqlock's retry loop, an exclusive lock's
// Lock.
const (
	MixInc     Mix = "inc"     // every operation writes I
	MixIncDec  Mix = "incdec"  // I and D alternate
	MixRead50  Mix = "read50"  // one I for every read
	MixRead90  Mix = "read90"  // one I for every nine reads
	MixRead99  Mix = "read99"  // one I for every 99 reads
	MixRead100 Mix = "read100" // reads only
)

// Mixes returns every mix.
func Mixes() []Mix { return []Mix{MixInc, MixIncDec, MixRead50, MixRead90, MixRead99, MixRead100} }

// DefaultMixes returns the standard matrix's mixes: the writes, and two
// read-mostly loads.
func DefaultMixes() []Mix { return []Mix{MixInc, MixIncDec, MixRead90, MixRead99} }

// opKind is one operation of a mix.
type opKind uint8

const (
	opInc opKind = iota
	opDec
	opRead
)

// mixShape is a mix as the engine issues it: each chunk of operations is
// one run of first, perHundred hundredths of it, then a run of second for
// the rest. Issuing runs rather than single operations lets a path loop
// without a call per operation. The hundredths that do not divide a chunk
// carry over to the worker's next chunk, so the mix's proportions are exact
// over a trial (read99 in chunks of 10: one I every tenth chunk).
type mixShape struct {
	first, second opKind
	perHundred    int
}

func (m Mix) shape() (mixShape, error) {
	switch m {
	case MixInc:
		return mixShape{opInc, opInc, 100}, nil
	case MixIncDec:
		return mixShape{opInc, opDec, 50}, nil
	case MixRead50:
		return mixShape{opInc, opRead, 50}, nil
	case MixRead90:
		return mixShape{opInc, opRead, 10}, nil
	case MixRead99:
		return mixShape{opInc, opRead, 1}, nil
	case MixRead100:
		return mixShape{opInc, opRead, 0}, nil
	}
	return mixShape{}, fmt.Errorf("bench: unknown mix %q (valid: %s)", m, joinMixes(Mixes()))
}

// sample picks the kind of a chunk's sampled operation, the one timed
// alone, and takes it out of its run. It is of the first kind in the
// mix's proportion over the chunks (read90: one sample in ten is a write),
// so that latencies and fairness describe the mix, not its writes alone;
// where the chunk has none of the kind due, the other.
func (s mixShape) sample(first, second int, carry *int) (kind opKind, restFirst, restSecond int) {
	*carry += s.perHundred
	if (*carry >= 100 && first > 0) || second == 0 {
		*carry = max(*carry-100, 0)
		return s.first, first - 1, second
	}
	return s.second, first, second - 1
}

// split returns the two runs of a chunk of n operations, carrying the
// hundredths of a first operation that this chunk could not hold to the
// next in *carry.
func (s mixShape) split(n int, carry *int) (first, second int) {
	total := n*s.perHundred + *carry
	first, *carry = total/100, total%100
	return first, n - first
}

func joinMixes(ms []Mix) string {
	s := make([]string, len(ms))
	for i, m := range ms {
		s[i] = string(m)
	}
	return strings.Join(s, ", ")
}

// Spec is one benchmark configuration: one cell of the matrix.
type Spec struct {
	Guard      counter.Guard // the counter's guard: a lock with its policy, atomic, sharded...
	Goroutines int           // goroutines driving the load
	Mix        Mix           // the blend of operations
	CS         time.Duration // busy work while the guard is held
	Path       string        // how the load reaches the counter: "direct", "proc", ...
	Think      time.Duration // busy work after each operation, outside the guard; usually 0
	Stats      bool          // keep lock statistics and report them as units (a lock guard, direct and proc paths)
	// StatsKey, if set, names the run's statistics setting in the
	// benchmark's name ("on", "off"): every configuration of a run with
	// statistics says stats=on, the guards without a lock included (they
	// keep none), so that they share its tables; a run with and without
	// names the runs without stats=off.
	StatsKey string
}

// Name returns the key=value sub-benchmark name, e.g.
// "lock=ticket:park/g=8/mix=inc/cs=0/path=proc". A lock with a choice of
// waiting policy is named with its policy, the default spelled out
// (locks.Canonical), so that a lock and its policy are one column of a
// report and "ticket" and "ticket:park" are never two. A think key is added
// only when Think is set, a stats key only when StatsKey is, so that
// benchstat -col /stats compares a lock with statistics on against the
// same lock without.
func (s Spec) Name() string {
	name := fmt.Sprintf("lock=%s/g=%d/mix=%s/cs=%s/path=%s", s.Guard.Name(), s.Goroutines, s.Mix, formatDuration(s.CS), s.Path)
	if s.Think > 0 {
		name += "/think=" + formatDuration(s.Think)
	}
	if s.StatsKey != "" {
		name += "/stats=" + s.StatsKey
	}
	return name
}

// FullName returns the benchmark's full name as a benchmark file spells it
// after "Benchmark": "Counter/<Name>-<GOMAXPROCS>".
func (s Spec) FullName() string {
	return fmt.Sprintf("Counter/%s-%d", s.Name(), runtime.GOMAXPROCS(0))
}

// formatDuration writes 0 as "0" and anything else as Go does ("100ns").
func formatDuration(d time.Duration) string {
	if d == 0 {
		return "0"
	}
	return d.String()
}

// DefaultGoroutines returns the goroutine counts of the standard matrix: 1,
// GOMAXPROCS, 4×GOMAXPROCS and 32×GOMAXPROCS (where spinlocks meet preempted
// holders), without duplicates.
func DefaultGoroutines() []int {
	p := runtime.GOMAXPROCS(0)
	out := []int{1}
	for _, g := range []int{p, 4 * p, 32 * p} {
		if g != out[len(out)-1] {
			out = append(out, g)
		}
	}
	return out
}

// DefaultCS returns the critical-section lengths of the standard matrix.
func DefaultCS() []time.Duration { return []time.Duration{0, 100 * time.Nanosecond} }

// Baselines returns the names of the guards shown beside the locks for
// reference (what a counter without a lock costs), never ranked as the best
// lock: atomic, sharded and the benchmark-only xsync.
func Baselines() []string {
	var out []string
	for _, g := range counter.Stores() {
		if g.Baseline() {
			out = append(out, g.Name())
		}
	}
	return out
}
