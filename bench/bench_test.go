package bench

import (
	"flag"
	"fmt"
	"runtime"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/lockbench/lockbench/counter"
	"github.com/lockbench/lockbench/internal/cacheline"
	"github.com/lockbench/lockbench/locks"
)

// BenchmarkCounter is the go test -bench front door: every guard, goroutine
// count, mix, critical section and path, named key=value so that benchstat
// can slice it:
//
//	go test -run '^$' -bench Counter -count 10 ./bench | tee new.txt
//	benchstat -col /lock -row /g new.txt
//
// The full matrix (every guard × 4 goroutine counts × 3 mixes × 2 critical
// sections × 2 paths, and the xsync baseline) takes about 12 minutes on 2
// cores at the default -benchtime, and `go test -bench . ./bench` adds the
// preemption matrix and, as root, the FUSE benchmarks (about 15 minutes in
// all); -short keeps mix=inc, cs=0 and g=1 and GOMAXPROCS and skips the
// rest (about a minute). Select cells with the usual pattern, e.g.
// -bench 'Counter/lock=(mutex|ticket:park)/g=8/'.
//
// -stats=on keeps every lock guard's statistics (lock_stat) on the direct
// and proc paths and reports them as units beside the others (contended,
// spins/op, wait-ns...), in benchmarks named .../stats=on; -stats=both runs
// each such configuration twice, without and with, which is how their
// cost is measured:
//
//	go test -run '^$' -bench 'Counter/lock=ticket:park/g=(1|2)/mix=inc/cs=0/path=direct' -count 10 ./bench -stats=both |
//		benchstat -col /stats -filter .unit:sec/op -
func BenchmarkCounter(b *testing.B) {
	specs, err := withStats(benchmarkSpecs(testing.Short()), *statsFlag)
	if err != nil {
		b.Fatal(err)
	}
	for _, spec := range specs {
		b.Run(spec.Name(), func(b *testing.B) { benchmarkCounter(b, spec) })
	}
}

var statsFlag = flag.String("stats", "off", "lock statistics in BenchmarkCounter: off, on, or both (each lock configuration of the direct and proc paths without, then with); -stats=on, not -stats alone")

// withStats applies -stats to specs on the direct and proc paths, the
// ones that keep statistics, as lockbench run -stats does (Config.Stats,
// Config.StatsBoth).
func withStats(specs []Spec, mode string) ([]Spec, error) {
	var cfg Config
	switch mode {
	case "off":
		return specs, nil
	case "on":
		cfg.Stats = true
	case "both":
		cfg.StatsBoth = true
	default:
		return nil, fmt.Errorf("-stats=%s: want off, on or both", mode)
	}
	var out []Spec
	for _, s := range specs {
		if s.Path != "direct" && s.Path != "proc" {
			out = append(out, s)
			continue
		}
		out = append(out, cfg.withStats(s)...)
	}
	return out, nil
}

// guards parses guard names, for tests.
func guards(names ...string) []counter.Guard {
	out := make([]counter.Guard, len(names))
	for i, name := range names {
		out[i] = counter.MustParseGuard(name)
	}
	return out
}

// labels makes external guards, the labels of path=file, for tests.
func labels(names ...string) []counter.Guard {
	out := make([]counter.Guard, len(names))
	for i, name := range names {
		g, err := counter.ExternalGuard(name)
		if err != nil {
			panic(err)
		}
		out[i] = g
	}
	return out
}

// benchmarkSpecs returns the matrix BenchmarkCounter runs: every guard on
// every path, plus the xsync.Counter baseline on the direct path (cs=0).
func benchmarkSpecs(short bool) []Spec {
	cfg := Config{}
	if short {
		cfg.Goroutines = []int{1, runtime.GOMAXPROCS(0)}
		cfg.Mixes = []Mix{MixInc}
		cfg.CS = []time.Duration{0}
	}
	specs := cfg.Specs()
	cfg.Guards = guards("xsync")
	cfg.Paths = []string{"direct"}
	cfg.CS = []time.Duration{0}
	return append(specs, cfg.Specs()...)
}

// BenchmarkPreemption is the preemption matrix: each spinlock under each
// waiting policy, with goroutines below, at and above GOMAXPROCS.
//
//	go test -run '^$' -bench Preemption -count 10 ./bench | tee wait.txt
//	benchstat -col /lock -row /g wait.txt
//
// A FIFO lock that only spins, with more goroutines than CPUs, stalls for
// a scheduler time slice (10ms) at each hand-off to a waiter that is not
// running. b.N-driven benchmarks cannot measure that: the framework sizes
// b.N from the fast uncontended start and the run then takes hours. Those
// cells are skipped here; the fixed-duration runner measures them:
//
//	lockbench run -path direct -g 1,1x,4x -locks ticket:spin,ticket:yield,ticket:park
func BenchmarkPreemption(b *testing.B) {
	if testing.Short() {
		b.Skip("-short: the preemption matrix takes about a minute")
	}
	procs := runtime.GOMAXPROCS(0)
	for _, lock := range []string{"tas", "ttas", "ticket", "mcs", "qspin"} {
		ops, err := locks.Lookup(lock)
		if err != nil {
			b.Fatal(err)
		}
		for _, wait := range []string{"spin", "yield", "park"} {
			for _, g := range []int{1, procs, 4 * procs} {
				spec := Spec{Guard: counter.MustParseGuard(lock + ":" + wait), Goroutines: g, Mix: MixInc, Path: "direct"}
				b.Run(spec.Name(), func(b *testing.B) {
					if ops.FIFO && wait == "spin" && g > procs {
						b.Skip("a spinning FIFO lock stalls a time slice per hand-off here; measure it with lockbench run")
					}
					benchmarkCounter(b, spec)
				})
			}
		}
	}
}

// benchmarkCounter runs one configuration for b.N operations, shared by its
// goroutines in chunks so that fairness shows who got the guard.
func benchmarkCounter(b *testing.B, spec Spec) {
	t, err := prepare(spec, false, "")
	if err != nil {
		b.Fatal(err)
	}
	defer func() {
		if err := t.close(); err != nil {
			b.Error(err)
		}
	}()
	b.ReportAllocs()
	elapsed, load := t.run(budgetLimiter(b.N), b.ResetTimer)
	b.StopTimer()
	r, err := t.finish(elapsed, b.Name())
	if err != nil {
		b.Fatal(err)
	}
	r.Interference = load.interference()
	for _, m := range r.metrics() {
		b.ReportMetric(m.value, m.unit)
	}
}

// atomicWordPath drives one padded atomic word with no counter or kernel in
// between: what is left is the engine's own cost.
type atomicWordPath struct{}

func (atomicWordPath) Name() string                         { return "atomicword" }
func (atomicWordPath) Attach(CounterConfig) (Target, error) { return &atomicWord{}, nil }

type atomicWord struct{ v cacheline.Int64 }

func (w *atomicWord) NewClient() (Client, error) { return w, nil }
func (w *atomicWord) Value() (int64, error)      { return w.v.Load(), nil }
func (w *atomicWord) Close() error               { return nil }

func (w *atomicWord) Inc(n int) (int, error) {
	for range n {
		w.v.Add(1)
	}
	return n, nil
}

func (w *atomicWord) Dec(n int) (int, error) {
	for range n {
		w.v.Add(-1)
	}
	return n, nil
}

func (w *atomicWord) Read(n int) (int, error) {
	for range n {
		_ = w.v.Load()
	}
	return n, nil
}

func init() { RegisterPath(atomicWordPath{}) }

// BenchmarkRunnerOverhead compares a raw atomic.AddInt64 loop with the engine
// driving the same add (timing, sampling, counting, chunking, one interface
// call per operation), in one run:
//
//	go test -run '^$' -bench RunnerOverhead -count 10 ./bench | benchstat -col /impl -
func BenchmarkRunnerOverhead(b *testing.B) {
	b.Run("impl=raw", func(b *testing.B) {
		var v struct {
			n int64
			_ cacheline.Pad
		}
		for b.Loop() {
			atomic.AddInt64(&v.n, 1)
		}
	})
	b.Run("impl=runner", func(b *testing.B) {
		t, err := prepare(Spec{Guard: counter.MustParseGuard("atomic"), Goroutines: 1, Mix: MixInc, Path: "atomicword"}, false, "")
		if err != nil {
			b.Fatal(err)
		}
		elapsed, _ := t.run(budgetLimiter(b.N), b.ResetTimer)
		b.StopTimer()
		if _, err := t.finish(elapsed, b.Name()); err != nil {
			b.Fatal(err)
		}
	})
}

// BenchmarkProcPathFloor measures, in one run, what issue 17's proc-path
// target is measured against and the least a call that rmmod can wait for
// must cost: an uncontended sync.Mutex Lock+Unlock (the target allows the
// proc path half of it over the direct path), one atomic add, and the two
// atomic operations that mark a call in flight and done (the kernel's
// use_pde and unuse_pde; Go's atomics are sequentially consistent, so each
// is a fenced instruction on amd64, stores included):
//
//	go test -run '^$' -bench 'ProcPathFloor|Counter/lock=atomic/g=1/mix=inc/cs=0/path=(direct|proc)$' -count 10 ./bench | benchstat -
func BenchmarkProcPathFloor(b *testing.B) {
	var v struct {
		mu    sync.Mutex
		n     int64
		calls atomic.Int64
		_     cacheline.Pad
	}
	b.Run("op=mutex-lock-unlock", func(b *testing.B) {
		for b.Loop() {
			v.mu.Lock()
			v.n++
			v.mu.Unlock()
		}
	})
	b.Run("op=atomic-add", func(b *testing.B) {
		for b.Loop() {
			v.calls.Add(1)
		}
	})
	b.Run("op=in-flight-and-done", func(b *testing.B) {
		for b.Loop() {
			v.calls.Add(1)
			v.calls.Add(-1)
		}
	})
}
