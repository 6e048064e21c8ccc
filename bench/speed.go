package bench

import (
	"slices"
	"sync"
	"time"

	"github.com/lockbench/lockbench/counter"
	"github.com/lockbench/lockbench/internal/sample"
)

// The speed probe measures how fast the machine runs lockbench's own hot
// path at one moment: a few bursts of increments of a private counter
// guarded by mutex, on the direct path, by the calling goroutine alone.
//
// Why: on a shared host the same code runs at different speeds for seconds
// at a time, with nothing in /proc/stat to show it (on a 2-vCPU VM, a
// direct-path increment under mutex ran almost twice as slow for a few
// seconds, then fast again, with every lock of a round slowed alike; most
// likely another guest on the sibling hyperthread of the same core; the
// figures are in BENCHMARKS.md, "Results you can trust"). A trial
// in one of those states is not comparable with a trial in the other, and a
// cell whose trials mix them has a median that lands anywhere between. The
// probe is run before and after every trial; a trial's speed is the
// machine's usual probe time (the median of every probe so far in this
// process) over the trial's, so 1 is usual, 0.6 slower, 1.7 faster.
const (
	probeBursts = 3
	probeOps    = 20_000 // a fraction of a millisecond a burst
	// calibrationProbes are taken, 5 ms apart, before the first trial, so
	// that the usual speed is known from the start.
	calibrationProbes = 15
)

type speedProbe struct {
	mu   sync.Mutex
	ctr  *counter.Counter
	seen []float64 // every probe's ns/op, for the usual speed
}

var probe = sync.OnceValue(func() *speedProbe {
	c, err := counter.New(counter.MustParseGuard("mutex"))
	if err != nil {
		panic("bench: the speed probe's counter: " + err.Error())
	}
	p := &speedProbe{ctr: c}
	for range calibrationProbes {
		p.measure()
		time.Sleep(5 * time.Millisecond)
	}
	return p
})

// measure runs one probe and returns its ns per increment: the median of
// its bursts.
func (p *speedProbe) measure() float64 {
	p.mu.Lock()
	defer p.mu.Unlock()
	var bursts [probeBursts]float64
	for i := range bursts {
		start := time.Now()
		for range probeOps {
			p.ctr.Inc()
		}
		bursts[i] = float64(time.Since(start).Nanoseconds()) / probeOps
	}
	ns := sample.Median(bursts[:])
	p.seen = append(p.seen, ns)
	return ns
}

// usual returns the median probe so far.
func (p *speedProbe) usual() float64 {
	p.mu.Lock()
	defer p.mu.Unlock()
	return sample.Median(slices.Clone(p.seen))
}

// speed returns the machine's speed during a trial between probes before
// and after it, against the usual: the usual probe time over the mean of
// the two.
func (p *speedProbe) speed(before, after float64) float64 {
	return p.usual() / ((before + after) / 2)
}
