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
// when it saw a violation or lost an update, or stalled.
//
// Readers, as locktorture's nreaders_stress, take the lock's read side: an
// RWLock's RLock, a SequenceLock's lockless read (checked by ReadRetry), an
// exclusive lock's Lock. Inside, a reader finds no writer, and a writer
// finds no reader; a seqlock reader whose read ReadRetry accepts finds the
// shared count and its shadow, which every writer sets alike, equal.
//
// A steady load misses the bugs that bursts, migrations and long holds
// find, so Config has locktorture's knobs (Documentation/locking/
// locktorture.rst), each in Go's terms: Stutter (stutter), Shuffle
// (shuffle_interval), OnOff and OnOffHoldoff (onoff_interval and
// onoff_holdoff: CPU hotplug, here GOMAXPROCS), LongHold and LongHoldEvery
// (long_hold), Nested (nested_locks), AcqLimit (acq_writer_lim), and a
// watchdog, Stall, that ends a run in which nothing progresses: a
// deadlock, which a lock taken out of order makes, is a failure reported
// within Stall, never a hang.
package torture

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/lockbench/lockbench/internal/cacheline"
	"github.com/lockbench/lockbench/internal/clock"
	"github.com/lockbench/lockbench/internal/work"
	"github.com/lockbench/lockbench/locks"
)

// Config says how hard to torture a lock. The zero value of every knob is
// off: a steady load, as before the knobs existed.
type Config struct {
	// Writers is the number of writer goroutines, up to MaxWorkers; 0
	// means GOMAXPROCS.
	Writers int
	// Readers is the number of reader goroutines, up to MaxWorkers; 0 for
	// none.
	Readers int
	// Acquisitions is how many times each writer takes the lock; 0 means
	// until the context is done.
	Acquisitions int
	// StopOnFailure ends the run at the first violation.
	StopOnFailure bool
	// Stat, if set, is called every StatInterval with the counts so far, as
	// locktorture prints its statistics: on a goroutine of its own, one
	// call at a time, through the drain too, never after Run returns. A
	// periodic Result's Lost is 0: it is known only at the end.
	Stat         func(Result)
	StatInterval time.Duration

	// Stutter, if positive, makes every worker run for Stutter and then
	// all of them pause for Stutter, over and over (locktorture's
	// stutter): the lock goes from idle to fully contended at once.
	Stutter time.Duration
	// Shuffle, if positive, ends every worker's goroutine each Shuffle and
	// starts a fresh one in its place, so that the scheduler places the
	// workers anew (locktorture's shuffle_interval moves its kthreads
	// between CPUs; a goroutine has no CPU to move, but a new one lands
	// where the scheduler puts it).
	Shuffle time.Duration
	// OnOff, if positive, switches GOMAXPROCS between 1 and its value at
	// the start every OnOff, after OnOffHoldoff (locktorture's
	// onoff_interval and onoff_holdoff: CPU hotplug, in the terms a Go
	// program has). GOMAXPROCS is restored when the run ends. It needs
	// GOMAXPROCS of 2 or more.
	OnOff, OnOffHoldoff time.Duration
	// LongHold, if positive, is how long one writer acquisition in
	// LongHoldEvery holds the lock, busy (locktorture's long_hold, its
	// mdelay in the critical section), to take waiters through their
	// spin, yield and park stages; 0 holds for a short spin instead.
	//
	// A long hold starts only once the lock has run for LongHold without
	// one, since the run began or the last long hold ended: long holds
	// take at most half of a run, however long they are, and the rest is
	// contention, in which a broken lock is caught. locktorture gets the
	// same from making long holds rarer the longer they are (one write in
	// nwriters × 2000 × long_hold ms). Without the rule, holds of seconds
	// one in 256 acquisitions left a broken lock a few hundred contended
	// acquisitions between holds, and it passed.
	LongHold time.Duration
	// LongHoldEvery is how many writer acquisitions there are to a long
	// hold, on average; 0 means DefaultLongHoldEvery.
	LongHoldEvery int
	// Nested, if above 1, makes every writer acquisition take Nested locks
	// (the lock given to Run, then NewLock's), always in the same order,
	// so that no deadlock is possible, and check each (locktorture's
	// nested_locks). NewLock must be set.
	Nested  int
	NewLock func() locks.Lock
	// AcqLimit, if positive, counts the writer acquisitions that waited
	// longer (Result.OverLimit) and keeps the longest wait with the lock's
	// state as it ended (locktorture's acq_writer_lim, which warns). It
	// does not fail the run: a sound lock may wait long on a loaded
	// machine.
	AcqLimit time.Duration
	// Stall, if positive, ends the run as failed when no acquisition
	// completes in Stall of time in which the workers were not paused by
	// Stutter, or when the workers have not all left Stall after the run
	// stopped: a deadlock or a livelock (Result.Stalled). It must be
	// longer than LongHold. The stuck goroutines cannot be stopped and
	// stay behind; a command exits.
	//
	// A sound lock livelocks too, where its waiters spin and there are
	// many more of them than Ps: the waiter next in line waits for its
	// goroutine's turn on a P, behind spinners that each keep theirs for
	// a time slice (1000 ticket:spin writers on 2 Ps complete about one
	// acquisition a second).
	Stall time.Duration

	// misorder makes odd writers take their nested locks in reverse
	// order: a deadlock on purpose, for the watchdog's test.
	misorder bool
}

// MaxWorkers is the most writers, and the most readers, a run takes:
// beyond it a run measures the scheduler, not the lock.
const MaxWorkers = 1024

// drainProcs is how many times GOMAXPROCS Run raises it to for the drain
// (see Run; BENCHMARKS.md, "torture's drain", has the measurements).
const drainProcs = 4

// MaxNested is the most locks Config.Nested takes: beyond it a run
// measures the nesting, not the lock.
const MaxNested = 64

// Validate reports what makes cfg unable to run, naming each knob as
// Knobs does; nil if it can run. Run panics on such a configuration.
func (cfg Config) Validate() error {
	for _, n := range []struct {
		knob string
		n    int
	}{{"writers", cfg.Writers}, {"readers", cfg.Readers}} {
		switch {
		case n.n < 0:
			return fmt.Errorf("%s must not be negative, not %d", n.knob, n.n)
		case n.n > MaxWorkers:
			return fmt.Errorf("%s must be at most %d, not %d", n.knob, MaxWorkers, n.n)
		}
	}
	for _, k := range []struct {
		knob   string
		d, min time.Duration
	}{
		{"stutter", cfg.Stutter, time.Millisecond},
		{"shuffle", cfg.Shuffle, time.Millisecond},
		{"onoff", cfg.OnOff, time.Millisecond},
		{"long-hold", cfg.LongHold, time.Nanosecond},
		{"acq-limit", cfg.AcqLimit, time.Nanosecond},
		{"stall", cfg.Stall, MinStall},
	} {
		if k.d < 0 || k.d > 0 && k.d < k.min {
			return fmt.Errorf("%s must be 0 (off) or at least %v, not %v", k.knob, k.min, k.d)
		}
	}
	switch {
	case cfg.OnOffHoldoff < 0:
		return fmt.Errorf("onoff-holdoff must not be negative, not %v", cfg.OnOffHoldoff)
	case cfg.OnOffHoldoff > 0 && cfg.OnOff == 0:
		return errors.New("onoff-holdoff needs onoff")
	case cfg.LongHoldEvery < 0:
		return fmt.Errorf("long-hold-every must be at least 1, not %d", cfg.LongHoldEvery)
	case cfg.Nested < 0 || cfg.Nested > MaxNested:
		return fmt.Errorf("nested must be between 1 and %d, not %d", MaxNested, cfg.Nested)
	case cfg.Nested > 1 && cfg.NewLock == nil:
		return fmt.Errorf("nested=%d needs NewLock", cfg.Nested)
	case cfg.Stall > 0 && cfg.LongHold >= cfg.Stall:
		return fmt.Errorf("long-hold (%v) must be shorter than the stall limit (%v): a long hold would look like a deadlock", cfg.LongHold, cfg.Stall)
	case cfg.OnOff > 0 && runtime.GOMAXPROCS(0) < 2:
		return errors.New("onoff switches GOMAXPROCS between 1 and its value, which is 1: there is no P to take offline")
	}
	return nil
}

// MinStall is the shortest Config.Stall: a watchdog that ticks faster
// mistakes a descheduled worker for a deadlock.
const MinStall = 100 * time.Millisecond

// DefaultLongHoldEvery is the default of Config.LongHoldEvery: one
// acquisition in 256 holds long, as lockbench's torture always has.
const DefaultLongHoldEvery = 256

// shortHold is the work of a hold that is long without Config.LongHold.
const shortHold = 256

// Result is what a run observed.
type Result struct {
	Writes     []uint64 // acquisitions completed, per writer
	Reads      []uint64 // read-side acquisitions completed, per reader
	Violations uint64   // critical sections that found another holder inside
	// ReadViolations are those of Violations that readers found: a writer
	// inside, or, for a seqlock, a read that stood with the count and its
	// shadow apart.
	ReadViolations uint64
	Lost           int64         // updates of the shared count that were lost
	Elapsed        time.Duration // wall time of the run

	// With Config.AcqLimit: the writer acquisitions that waited longer,
	// the longest wait, the lock it waited longest for (its index among
	// the Nested locks, 0 for the lock given to Run), and that lock's
	// state (locks.StateOf) when the wait for it ended.
	OverLimit    uint64
	LongestWait  time.Duration
	LongestLock  int
	LongestState string

	// Stalled is set when the watchdog (Config.Stall) ended the run, and
	// Draining too if that was after the run stopped, when the workers
	// had not all left in Stall. StalledSide is "writes" when the writers
	// stood still while the readers went on, "reads" the other way round,
	// "" when nothing progressed. Stuck says, per writer, what it held and
	// waited for then.
	Stalled, Draining bool
	StalledSide       string
	Stuck             []string

	// How often the knobs acted: stutter pauses, shuffles of the
	// goroutines, GOMAXPROCS changes, long holds (with Config.LongHold).
	// Paused is set when the counts were all taken within pause number
	// Pauses (in a periodic Result).
	Pauses, Shuffles, OnOffs, LongHolds int
	Paused                              bool
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

// Failed reports whether the lock broke mutual exclusion during the run, or
// stopped making progress.
func (r Result) Failed() bool { return r.Violations > 0 || r.Lost != 0 || r.Stalled }

// state is what the workers share. Each word is padded: the holder count and
// the shared count are written in every critical section, the stop flag,
// the stutter phase and the shuffle epoch are read by every worker.
type state struct {
	readers    atomic.Int32 // readers inside
	_          cacheline.Pad
	count      atomic.Int64
	shadow     atomic.Int64 // count's value, set after it: a seqlock reader finds them equal
	_          cacheline.Pad
	violations atomic.Uint64
	// readViolations are those of violations that readers found.
	readViolations atomic.Uint64
	_              cacheline.Pad
	stop           atomic.Bool
	// phase counts Stutter's transitions: odd while the workers are
	// paused, and pause number (phase+1)/2. One word, so that a snapshot
	// that reads it before and after the counts knows whether they were
	// all taken within one pause.
	phase atomic.Uint64
	epoch atomic.Uint64
	// nextLongHold is when the next long hold may start (clock.Nanotime):
	// LongHold after the last one ended, or after the start.
	nextLongHold atomic.Int64
	_            cacheline.Pad

	cfg     Config
	locks   []locks.Lock      // the writers' locks, in the order they take them; read-only
	holders []cacheline.Int64 // writers inside each lock
	read    locks.ReadSide    // locks[0]'s read side
	workers sync.WaitGroup    // every worker goroutine, shuffled ones included

	mu        sync.Mutex    // guards the fields below, and phase's changes
	resume    chan struct{} // closed when a Stutter pause ends
	pausedAt  time.Time     // when the pause in progress began
	pausedFor time.Duration // the pauses that ended, all together
	halted    chan struct{} // closed when the run stops, by halt
	stopOnce  sync.Once
	longLock  int           // the lock the longest wait was spent on
	longSt    string        // its state at the end of the wait
	stalled   chan struct{} // closed by stall
	stallOnce sync.Once
	draining  bool
	side      string
	stuck     []string

	longest          atomic.Int64 // the longest wait over AcqLimit, in ns; written under mu
	overLimit        atomic.Uint64
	shuffles, onoffs atomic.Int64
	longHolds        atomic.Int64
}

// writer is one writer's slot: its count, and what it holds and waits for,
// which the watchdog reports when the run stalls. Slots are kept in a
// slice; the Pad that ends each keeps the fields of two slots more than
// a line apart.
type writer struct {
	done    atomic.Uint64
	holding atomic.Int32 // how many of its locks it holds
	waiting atomic.Int32 // the index of the lock it waits for, -1 if none
	_       cacheline.Pad
}

// Run tortures l with cfg until every writer is done, ctx is done, or the
// watchdog finds the run stalled, and returns what it saw. It panics,
// "torture: " and what Validate says, if cfg cannot run.
//
// When ctx ends, a writer already queued on a FIFO lock must still take
// its turn before it can stop. With more workers than Ps and a spinning
// policy that drain is slow: each hand-off waits until the goroutine next
// in line gets a P, while the others burn their time slices. So for the
// drain, and only then, Run raises GOMAXPROCS to drainProcs times its
// value (or the number of workers, if fewer), leaving the waiters to the
// OS scheduler's finer time slices, and restores it before it returns.
// Not more: with a thread per worker, a thousand yielding waiters lose
// their order to the OS scheduler and the drain takes longer than the
// run. Run itself waits on ctx, so that the drain begins as soon as
// Run's goroutine runs: a goroutine started to halt the run would queue
// behind a thousand spinners. A drain that does not end within Stall
// is a stall (Config.Stall).
func Run(ctx context.Context, l locks.Lock, cfg Config) Result {
	if err := cfg.Validate(); err != nil {
		panic("torture: " + err.Error())
	}
	writers := cfg.Writers
	if writers <= 0 {
		writers = runtime.GOMAXPROCS(0)
	}
	if cfg.LongHoldEvery <= 0 {
		cfg.LongHoldEvery = DefaultLongHoldEvery
	}
	s := &state{cfg: cfg, locks: []locks.Lock{l}, halted: make(chan struct{}), stalled: make(chan struct{})}
	for len(s.locks) < cfg.Nested {
		s.locks = append(s.locks, cfg.NewLock())
	}
	s.holders = make([]cacheline.Int64, len(s.locks))
	s.read = locks.ReadSideOf(l)
	slots := make([]writer, writers)
	readSlots := make([]cacheline.Uint64, cfg.Readers)
	procs := runtime.GOMAXPROCS(0)

	// The workers start together, once all exist: started one by one,
	// the first would run alone on the lock, uncontended.
	gate := make(chan struct{})
	for i := range slots {
		slots[i].waiting.Store(-1)
		w := &slots[i]
		s.workers.Go(func() { <-gate; s.write(i, w, rand.New(rand.NewPCG(uint64(i)+1, uint64(i)+1)), 0) })
	}
	for i := range readSlots {
		s.workers.Go(func() { <-gate; s.readLoop(&readSlots[i].Uint64, 0) })
	}
	start := time.Now()
	s.nextLongHold.Store(clock.Nanotime() + int64(cfg.LongHold))
	close(gate)
	finished := make(chan struct{})
	go func() { s.workers.Wait(); close(finished) }()

	// The knobs' controllers stop when the run halts; the watchdog and the
	// statistics go on through the drain.
	var knobs, watchers sync.WaitGroup
	if cfg.Stutter > 0 {
		knobs.Go(s.stutter)
	}
	if cfg.Shuffle > 0 {
		knobs.Go(s.shuffle)
	}
	if cfg.OnOff > 0 {
		knobs.Go(func() { s.onoff(procs) })
	}
	watchDone := make(chan struct{})
	if cfg.Stall > 0 {
		watchers.Go(func() { s.watchdog(slots, readSlots, start, watchDone) })
	}
	if cfg.Stat != nil && cfg.StatInterval > 0 {
		watchers.Go(func() {
			tick := time.NewTicker(cfg.StatInterval)
			defer tick.Stop()
			for {
				select {
				case <-watchDone:
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
	defer runtime.GOMAXPROCS(procs)

	select {
	case <-finished:
	case <-s.stalled:
	case <-s.halted: // a violation, with StopOnFailure
	case <-ctx.Done():
	}
	// Halt under mu, where onoff changes GOMAXPROCS only before the halt:
	// the drain's GOMAXPROCS is the last word.
	s.mu.Lock()
	s.halt()
	select {
	case <-finished:
	case <-s.stalled: // stuck workers would spin on every P given them
	default:
		runtime.GOMAXPROCS(max(procs, min(writers+cfg.Readers, drainProcs*procs)))
	}
	s.mu.Unlock()
	var drained <-chan time.Time
	if cfg.Stall > 0 {
		t := time.NewTimer(cfg.Stall)
		defer t.Stop()
		drained = t.C
	}
	select {
	case <-finished:
	case <-s.stalled:
	case <-drained:
		s.stall(slots, "")
	}
	knobs.Wait()
	// Stat is never called after Run returns, nor with counts newer than
	// the final ones.
	close(watchDone)
	watchers.Wait()
	return s.snapshot(slots, readSlots, start)
}

// halt stops the run: every worker leaves at its next check, paused ones
// at once, and the knobs' controllers return.
func (s *state) halt() {
	s.stopOnce.Do(func() {
		s.stop.Store(true)
		close(s.halted)
	})
}

// sleep waits for d, and reports false if the run halted first.
func (s *state) sleep(d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-s.halted:
		return false
	}
}

// stutter runs the workers for Stutter, pauses them for Stutter, and so
// on until the run halts, which ends any pause. Each change of phase is
// made under mu, with the pause's channel and its time.
func (s *state) stutter() {
	for s.sleep(s.cfg.Stutter) {
		s.mu.Lock()
		s.resume = make(chan struct{})
		s.pausedAt = time.Now()
		s.phase.Add(1) // running -> paused
		s.mu.Unlock()
		s.sleep(s.cfg.Stutter)
		s.mu.Lock()
		s.pausedFor += time.Since(s.pausedAt)
		s.phase.Add(1) // paused -> running
		close(s.resume)
		s.mu.Unlock()
	}
}

// pause waits out a Stutter pause, if one is on.
func (s *state) pause() {
	if s.phase.Load()%2 == 0 {
		return
	}
	s.mu.Lock()
	resume, paused := s.resume, s.phase.Load()%2 == 1
	s.mu.Unlock()
	if paused {
		select {
		case <-resume:
		case <-s.halted:
		}
	}
}

// active returns how long the workers have run unpaused since start.
func (s *state) active(start, now time.Time) time.Duration {
	s.mu.Lock()
	defer s.mu.Unlock()
	d := now.Sub(start) - s.pausedFor
	if s.phase.Load()%2 == 1 {
		d -= now.Sub(s.pausedAt)
	}
	return d
}

// shuffle starts a new epoch every Shuffle: each worker, at its next
// check, hands its slot to a fresh goroutine and returns.
func (s *state) shuffle() {
	for s.sleep(s.cfg.Shuffle) {
		s.epoch.Add(1)
		s.shuffles.Add(1)
	}
}

// onoff switches GOMAXPROCS between 1 and procs, its value at the start,
// every OnOff, after OnOffHoldoff, until the run halts. It changes
// GOMAXPROCS under mu, and never after the halt: Run sets it for the
// drain then, and restores it at the end.
func (s *state) onoff(procs int) {
	if s.cfg.OnOffHoldoff > 0 && !s.sleep(s.cfg.OnOffHoldoff) {
		return
	}
	for n := 1; s.sleep(s.cfg.OnOff); n = procs + 1 - n {
		s.mu.Lock()
		if !s.stop.Load() {
			runtime.GOMAXPROCS(n)
			s.onoffs.Add(1)
		}
		s.mu.Unlock()
	}
}

// watchdog ends the run when the writers, or the readers, complete no
// acquisition in Stall of unpaused time, recording what each writer holds
// and waits for. It watches each side on its own, so that readers that
// go on do not hide writers that stand still; in a run with a fixed
// number of Acquisitions, where a side may be done, it watches both as
// one.
func (s *state) watchdog(slots []writer, readSlots []cacheline.Uint64, start time.Time, done <-chan struct{}) {
	tick := time.NewTicker(max(s.cfg.Stall/8, time.Millisecond))
	defer tick.Stop()
	type side struct {
		last  uint64
		since time.Duration // active time at the last progress seen
	}
	var writes, reads side
	for {
		select {
		case <-done:
			return
		case now := <-tick.C:
			var w, r uint64
			for i := range slots {
				w += slots[i].done.Load()
			}
			for i := range readSlots {
				r += readSlots[i].Load()
			}
			readers := len(readSlots)
			if s.cfg.Acquisitions > 0 {
				w, r, readers = w+r, 0, 0 // one side: either may be done
			}
			active := s.active(start, now)
			stuck := func(sd *side, progress uint64, workers int) bool {
				if progress != sd.last || workers == 0 {
					sd.last, sd.since = progress, active
					return false
				}
				return active-sd.since >= s.cfg.Stall
			}
			wStuck, rStuck := stuck(&writes, w, len(slots)), stuck(&reads, r, readers)
			switch {
			case wStuck && (rStuck || readers == 0):
				s.stall(slots, "")
			case wStuck:
				s.stall(slots, "writes")
			case rStuck:
				s.stall(slots, "reads")
			default:
				continue
			}
			return
		}
	}
}

// stall ends the run as stalled, once, with what each writer holds and
// waits for, whether the run had stopped already, and which side stood
// still ("" for both).
func (s *state) stall(slots []writer, side string) {
	s.stallOnce.Do(func() {
		draining := s.stop.Load()
		var stuck []string
		for i := range slots {
			held, waits := slots[i].holding.Load(), slots[i].waiting.Load()
			switch {
			case waits >= 0:
				desc := fmt.Sprintf("writer %d holds %d of %d locks, waits for lock %d", i, held, len(s.locks), waits)
				if st := locks.StateOf(s.locks[waits]); st != "" {
					desc += " (" + st + ")"
				}
				stuck = append(stuck, desc)
			case held > 0:
				stuck = append(stuck, fmt.Sprintf("writer %d holds %d of %d locks", i, held, len(s.locks)))
			}
		}
		s.mu.Lock()
		s.stuck, s.draining, s.side = stuck, draining, side
		s.mu.Unlock()
		s.halt()
		close(s.stalled)
	})
}

// snapshot reads the counts so far. It reads the stutter phase before and
// after them: the Result is Paused only when all were taken within one
// pause.
func (s *state) snapshot(slots []writer, readSlots []cacheline.Uint64, start time.Time) Result {
	phase := s.phase.Load()
	r := Result{
		Writes:         make([]uint64, len(slots)),
		Reads:          make([]uint64, len(readSlots)),
		Violations:     s.violations.Load(),
		ReadViolations: s.readViolations.Load(),
		Elapsed:        time.Since(start),
		OverLimit:      s.overLimit.Load(),
		Shuffles:       int(s.shuffles.Load()),
		OnOffs:         int(s.onoffs.Load()),
		LongHolds:      int(s.longHolds.Load()),
	}
	for i := range slots {
		r.Writes[i] = slots[i].done.Load()
	}
	for i := range readSlots {
		r.Reads[i] = readSlots[i].Load()
	}
	after := s.phase.Load()
	r.Pauses, r.Paused = int(after+1)/2, after%2 == 1 && after == phase
	r.Lost = int64(r.Total()) - s.count.Load()
	s.mu.Lock()
	r.LongestWait, r.LongestLock, r.LongestState = time.Duration(s.longest.Load()), s.longLock, s.longSt
	select {
	case <-s.stalled:
		r.Stalled, r.Draining, r.StalledSide, r.Stuck = true, s.draining, s.side, s.stuck
	default:
	}
	s.mu.Unlock()
	if r.Stalled {
		r.Lost = 0 // unknown: stuck writers may hold the count half-written
	}
	return r
}

// order returns the order in which writer w takes the locks: always
// 0, 1, ..., n-1, but for misorder's odd writers.
func (s *state) order(w int) []int {
	order := make([]int, len(s.locks))
	for i := range order {
		order[i] = i
		if s.cfg.misorder && w%2 == 1 {
			order[i] = len(order) - 1 - i
		}
	}
	return order
}

// write is writer index's loop, from epoch on: it returns when the run
// stops, or hands its slot to a fresh goroutine when Shuffle starts a new
// epoch.
func (s *state) write(index int, w *writer, rng *rand.Rand, epoch uint64) {
	order := s.order(index)
	for {
		if s.stop.Load() || s.cfg.Acquisitions > 0 && w.done.Load() >= uint64(s.cfg.Acquisitions) {
			return
		}
		s.pause()
		if e := s.epoch.Load(); e != epoch {
			s.workers.Go(func() { s.write(index, w, rng, e) })
			return
		}
		longHold := rng.Uint64N(uint64(s.cfg.LongHoldEvery)) == 0

		var wait acquisition
		for k, i := range order {
			w.waiting.Store(int32(i))
			if s.cfg.AcqLimit > 0 {
				wait.lock(s, i)
			} else {
				s.locks[i].Lock()
			}
			w.holding.Store(int32(k + 1))
			if s.holders[i].Add(1) != 1 {
				s.violated()
			}
		}
		w.waiting.Store(-1)
		if s.cfg.AcqLimit > 0 {
			wait.taken(s)
		}
		if s.readers.Load() != 0 {
			s.violated()
		}
		v := s.count.Load()
		if longHold {
			// Hold the lock longer now and then, as locktorture's write
			// delay does, so that overlapping holders meet and waiters go
			// through their stages.
			s.hold()
		}
		s.count.Store(v + 1)
		s.shadow.Store(v + 1)
		for k := len(order) - 1; k >= 0; k-- {
			i := order[k]
			s.holders[i].Add(-1)
			s.locks[i].Unlock()
			w.holding.Store(int32(k))
		}
		w.done.Add(1)
		if s.cfg.AcqLimit > 0 && wait.total > s.cfg.AcqLimit {
			s.waited(wait)
		}
	}
}

// acquisition is one writer acquisition's wait, with AcqLimit: in all,
// and for the lock it waited longest for, with that lock's state when the
// wait ended.
type acquisition struct {
	total, longest time.Duration
	lockIndex      int
	state          string
}

// lock takes lock i of s, timing the wait. The lock's state is read, as
// the wait ends, only for a wait that would be the run's longest, so that
// the critical section stays as short as without AcqLimit.
func (a *acquisition) lock(s *state, i int) {
	start := clock.Nanotime()
	s.locks[i].Lock()
	d := time.Duration(clock.Nanotime() - start)
	a.total += d
	if d > a.longest {
		a.longest, a.lockIndex, a.state = d, i, ""
	}
	if a.lockIndex == i && a.total > s.cfg.AcqLimit && int64(a.total) > s.longest.Load() {
		a.state = locks.StateOf(s.locks[i])
	}
}

// taken ends the wait, all locks held: if it is a candidate for the run's
// longest and the state of the lock it waited longest for is not read
// yet (the wait became long on a later lock), read it now.
func (a *acquisition) taken(s *state) {
	if a.state == "" && a.total > s.cfg.AcqLimit && int64(a.total) > s.longest.Load() {
		a.state = locks.StateOf(s.locks[a.lockIndex])
	}
}

// hold is a long hold: a yield with one P, then LongHold busy, or a
// short spin without it. A hold of LongHold starts only when the lock has
// run that long without one (Config.LongHold). It ends early when the
// run stops, so that a failure found meanwhile ends the run at once
// rather than a hold later.
func (s *state) hold() {
	// With one P nothing else runs while the lock is held, unless the
	// holder is preempted there, and a lock that lets two in is caught
	// only then: so the holder gives its P away, as locktorture lets its
	// writers be preempted in the critical section
	// (torture_preempt_schedule). With more Ps the others run beside the
	// holder, and a yield would only make a convoy of FIFO spinning
	// waiters (BENCHMARKS.md, "torture's drain").
	if runtime.GOMAXPROCS(0) == 1 {
		runtime.Gosched()
	}
	if s.cfg.LongHold <= 0 {
		work.Spin(shortHold)
		return
	}
	if clock.Nanotime() < s.nextLongHold.Load() {
		return
	}
	s.longHolds.Add(1)
	for end := clock.Nanotime() + int64(s.cfg.LongHold); clock.Nanotime() < end && !s.stop.Load(); {
	}
	s.nextLongHold.Store(clock.Nanotime() + int64(s.cfg.LongHold))
}

// waited records a writer's wait over AcqLimit, after the writer released
// its locks.
func (s *state) waited(a acquisition) {
	s.overLimit.Add(1)
	if int64(a.total) <= s.longest.Load() {
		return
	}
	s.mu.Lock()
	if int64(a.total) > s.longest.Load() {
		s.longest.Store(int64(a.total))
		s.longLock, s.longSt = a.lockIndex, a.state
	}
	s.mu.Unlock()
}

// violated counts a violation, and ends the run if the configuration asks.
func (s *state) violated() {
	s.violations.Add(1)
	if s.cfg.StopOnFailure {
		s.halt()
	}
}

// violatedReading counts a violation a reader found.
func (s *state) violatedReading() {
	s.readViolations.Add(1)
	s.violated()
}

// readLoop is one reader's loop, from epoch on: take the read side, check
// that no writer is inside (for a seqlock, that a read that stands saw
// count and shadow agree), leave.
func (s *state) readLoop(done *atomic.Uint64, epoch uint64) {
	for {
		if s.stop.Load() || s.cfg.Acquisitions > 0 && done.Load() >= uint64(s.cfg.Acquisitions) {
			return
		}
		s.pause()
		if e := s.epoch.Load(); e != epoch {
			s.workers.Go(func() { s.readLoop(done, e) })
			return
		}
		r := s.read
		if r.Lockless {
			for {
				seq := r.Enter()
				c, sh := s.count.Load(), s.shadow.Load()
				if r.Exit(seq) {
					if c != sh {
						s.violatedReading()
					}
					break
				}
			}
			done.Add(1)
			continue
		}
		t := r.Enter()
		s.readers.Add(1)
		if s.holders[0].Load() != 0 {
			s.violatedReading()
		}
		s.readers.Add(-1)
		r.Exit(t)
		done.Add(1)
	}
}

// Knobs describes cfg's knobs as locktorture prints its module parameters
// at the end of a test: "stutter=1s shuffle=0s ... nested=1".
func (cfg Config) Knobs() string {
	every := cfg.LongHoldEvery
	if every <= 0 {
		every = DefaultLongHoldEvery
	}
	nested := max(cfg.Nested, 1)
	return strings.Join([]string{
		"stutter=" + cfg.Stutter.String(),
		"shuffle=" + cfg.Shuffle.String(),
		"onoff=" + cfg.OnOff.String(),
		"onoff-holdoff=" + cfg.OnOffHoldoff.String(),
		"long-hold=" + cfg.LongHold.String(),
		fmt.Sprintf("long-hold-every=%d", every),
		fmt.Sprintf("nested=%d", nested),
		"acq-limit=" + cfg.AcqLimit.String(),
		"stall=" + cfg.Stall.String(),
	}, " ")
}
