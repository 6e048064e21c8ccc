// Package torture is lockbench's locktorture: writer goroutines hammer one
// lock and check, inside every critical section, that they hold it alone.
//
// As in the kernel's kernel/locking/locktorture.c, a writer increments a
// holder count on entry and finds it was zero, does a little work, and
// decrements it on exit; finding another holder is a violation. Each critical
// section also increments a shared count with a separate atomic load and
// store: an increment that is not atomic, so a lock that lets two writers in
// loses updates, yet every access is atomic and the run stays clean under
// the race detector even against the deliberately broken lock. A run fails
// when it saw a violation or lost an update.
//
// Readers, as locktorture's nreaders_stress, take the lock's read side: an
// RWLock's RLock, a SequenceLock's lockless read (checked by ReadRetry), an
// exclusive lock's Lock. Inside, a reader finds no writer, and a writer
// finds no reader; a seqlock reader whose read ReadRetry accepts finds the
// shared count and its shadow, which every writer sets alike, equal.
package torture

import (
	"context"
	"math/rand/v2"
	"runtime"
	"sync"
	"sync/atomic"
	"time"

	"github.com/lockbench/lockbench/internal/cacheline"
	"github.com/lockbench/lockbench/internal/work"
	"github.com/lockbench/lockbench/locks"
)

// Config says how hard to torture a lock.
type Config struct {
	// Writers is the number of writer goroutines; 0 means GOMAXPROCS.
	Writers int
	// Readers is the number of reader goroutines; 0 for none.
	Readers int
	// Acquisitions is how many times each writer takes the lock; 0 means
	// until the context is done.
	Acquisitions int
	// StopOnFailure ends the run at the first violation.
	StopOnFailure bool
	// Stat, if set, is called every StatInterval with the counts so far, as
	// locktorture prints its statistics.
	Stat         func(Result)
	StatInterval time.Duration
}

// Result is what a run observed.
type Result struct {
	Writes     []uint64      // acquisitions completed, per writer
	Reads      []uint64      // read-side acquisitions completed, per reader
	Violations uint64        // critical sections that found another holder inside
	Lost       int64         // updates of the shared count that were lost
	Elapsed    time.Duration // wall time of the run
}

// Total returns the acquisitions completed by all writers.
func (r Result) Total() uint64 {
	var t uint64
	for _, w := range r.Writes {
		t += w
	}
	return t
}

// ReadTotal returns the read-side acquisitions completed by all readers.
func (r Result) ReadTotal() uint64 {
	var t uint64
	for _, n := range r.Reads {
		t += n
	}
	return t
}

// MaxMin returns the most and the fewest acquisitions of any one writer.
func (r Result) MaxMin() (max, min uint64) { return maxMin(r.Writes) }

// ReadMaxMin returns the most and the fewest acquisitions of any one
// reader.
func (r Result) ReadMaxMin() (max, min uint64) { return maxMin(r.Reads) }

func maxMin(counts []uint64) (max, min uint64) {
	for i, w := range counts {
		if i == 0 || w > max {
			max = w
		}
		if i == 0 || w < min {
			min = w
		}
	}
	return max, min
}

// Failed reports whether the lock broke mutual exclusion during the run.
func (r Result) Failed() bool { return r.Violations > 0 || r.Lost != 0 }

// state is what the writers share. Each word is padded: the holder count and
// the shared count are written in every critical section, the stop flag is
// read by every writer.
type state struct {
	holders    atomic.Int32 // writers inside
	readers    atomic.Int32 // readers inside
	_          cacheline.Pad
	count      atomic.Int64
	shadow     atomic.Int64 // count's value, set after it: a seqlock reader finds them equal
	_          cacheline.Pad
	violations atomic.Uint64
	_          cacheline.Pad
	stop       atomic.Bool
	_          cacheline.Pad
}

// Run tortures l with cfg until every writer is done or ctx is done, and
// returns what it saw.
//
// When ctx ends, a writer already queued on a FIFO lock must still take
// its turn before it can stop. With more writers than Ps and a spinning
// policy that drain is slow: each hand-off waits until the goroutine next
// in line gets a P, while the others burn their time slices (32 writers on
// 2 Ps took over 2 s). So for the drain, and only then, Run raises
// GOMAXPROCS to the number of writers, leaving the waiters to the OS
// scheduler's finer time slices, and restores it before it returns.
func Run(ctx context.Context, l locks.Lock, cfg Config) Result {
	writers := cfg.Writers
	if writers <= 0 {
		writers = runtime.GOMAXPROCS(0)
	}
	var s state
	slots := make([]cacheline.Uint64, writers)
	readSlots := make([]cacheline.Uint64, max(cfg.Readers, 0))

	stopWatch := context.AfterFunc(ctx, func() { s.stop.Store(true) })
	defer stopWatch()

	start := time.Now()
	var wg sync.WaitGroup
	for i := range slots {
		wg.Go(func() { s.write(l, &slots[i].Uint64, uint64(i)+1, cfg) })
	}
	read := locks.ReadSideOf(l)
	for i := range readSlots {
		wg.Go(func() { s.read(read, &readSlots[i].Uint64, cfg) })
	}
	if cfg.Stat != nil && cfg.StatInterval > 0 {
		// The statistics goroutine ends before Run returns, so Stat is never
		// called after it.
		done := make(chan struct{})
		var statWG sync.WaitGroup
		defer statWG.Wait()
		defer close(done)
		statWG.Go(func() {
			tick := time.NewTicker(cfg.StatInterval)
			defer tick.Stop()
			for {
				select {
				case <-done:
					return
				case <-tick.C:
					// Lost is only known once the writers have stopped.
					r := s.snapshot(slots, readSlots, start)
					r.Lost = 0
					cfg.Stat(r)
				}
			}
		})
	}
	finished := make(chan struct{})
	go func() { wg.Wait(); close(finished) }()
	select {
	case <-finished:
	case <-ctx.Done():
		if procs := runtime.GOMAXPROCS(0); writers > procs {
			runtime.GOMAXPROCS(writers)
			defer runtime.GOMAXPROCS(procs)
		}
		<-finished
	}
	return s.snapshot(slots, readSlots, start)
}

// snapshot reads the counts so far.
func (s *state) snapshot(slots, readSlots []cacheline.Uint64, start time.Time) Result {
	r := Result{
		Writes:     make([]uint64, len(slots)),
		Reads:      make([]uint64, len(readSlots)),
		Violations: s.violations.Load(),
		Elapsed:    time.Since(start),
	}
	for i := range slots {
		r.Writes[i] = slots[i].Load()
	}
	for i := range readSlots {
		r.Reads[i] = readSlots[i].Load()
	}
	r.Lost = int64(r.Total()) - s.count.Load()
	return r
}

// write is one writer's loop.
func (s *state) write(l locks.Lock, done *atomic.Uint64, seed uint64, cfg Config) {
	rng := rand.New(rand.NewPCG(seed, seed))
	for i := 0; cfg.Acquisitions == 0 || i < cfg.Acquisitions; i++ {
		if s.stop.Load() {
			return
		}
		longHold := rng.Uint64N(256) == 0

		l.Lock()
		if s.holders.Add(1) != 1 || s.readers.Load() != 0 {
			s.violated(cfg)
		}
		v := s.count.Load()
		if longHold {
			// Now and then hold the lock a little longer, as locktorture's
			// write delay does, so that overlapping holders meet.
			work.Spin(256)
		}
		s.count.Store(v + 1)
		s.shadow.Store(v + 1)
		s.holders.Add(-1)
		l.Unlock()
		done.Add(1)
	}
}

// violated counts a violation, and ends the run if cfg asks.
func (s *state) violated(cfg Config) {
	s.violations.Add(1)
	if cfg.StopOnFailure {
		s.stop.Store(true)
	}
}

// read is one reader's loop: take the read side, check that no writer is
// inside (for a seqlock, that a read that stands saw count and shadow
// agree), leave.
func (s *state) read(r locks.ReadSide, done *atomic.Uint64, cfg Config) {
	for i := 0; cfg.Acquisitions == 0 || i < cfg.Acquisitions; i++ {
		if s.stop.Load() {
			return
		}
		if r.Lockless {
			for {
				seq := r.Enter()
				c, sh := s.count.Load(), s.shadow.Load()
				if r.Exit(seq) {
					if c != sh {
						s.violated(cfg)
					}
					break
				}
			}
			done.Add(1)
			continue
		}
		t := r.Enter()
		s.readers.Add(1)
		if s.holders.Load() != 0 {
			s.violated(cfg)
		}
		s.readers.Add(-1)
		r.Exit(t)
		done.Add(1)
	}
}
