package locks

import (
	"fmt"
	"math"
	"math/bits"
	"runtime"
	"sync"
	"sync/atomic"

	"github.com/lockbench/lockbench/internal/cacheline"
	"github.com/lockbench/lockbench/internal/clock"
	"github.com/lockbench/lockbench/internal/percpu"
	"github.com/lockbench/lockbench/internal/race"
)

// Lock statistics, after the kernel's lock_stat
// (Documentation/locking/lockstat.rst) and qspinlock's lock events
// (kernel/locking/lock_events_list.h): why a lock costs what it costs.
//
// A lock counts its own events where they happen, on its slow paths only:
// contended acquisitions, spins, yields, parks, wake-ups, hand-offs and
// strategy-specific events (qspin's pending waiter and queue, the drains
// of percpu-rw's and BRAVO's readers). Its user counts acquisitions and
// times holds around Lock and Unlock, as lockdep's hooks surround the
// kernel's locks. With statistics off a lock's Stats pointer is nil: the
// fast paths are untouched and each slow path tests the pointer once.
//
// The cost when on, and how it is kept small:
//   - No shared counter. A waiter counts its spins, yields and parks in its
//     spinner, on its own stack. When it gets the lock, a recording caller
//     (RecordingLock.LockRecording) receives them as one word, a
//     WaitRecord, and an exclusive holder adds them, with its acquisition,
//     to plain words that only a holder writes (HolderCounts: package
//     counter keeps them next to the value it guards, on a line the holder
//     owns already). Otherwise, and for readers, who hold the lock
//     together, they go to the slot of the P that counts them, with plain
//     stores while the goroutine is pinned to its P (percpu.Pin), as the
//     kernel's per-CPU counters are updated with preemption off; under the
//     race detector, which cannot see that argument, with atomic adds.
//   - No clock read on an uncontended acquisition. A clock read costs tens
//     of ns on a virtual machine (33 ns here), as much as a contended
//     hand-off at cs=0, so wait and hold times are both sampled: one
//     contended acquisition in WaitSampleEvery, drawn at random, is timed
//     from the start of its slow path to the acquisition, and one
//     acquisition in HoldSampleEvery, counted, from the acquisition to the
//     release. Totals (lock_stat's waittime-total, holdtime-total) are the
//     samples' mean times the number of contentions or acquisitions.
//
// What it costs, measured, is in BENCHMARKS.md ("Lock statistics").
//
// Reads of a Stats (Snapshot) while the lock is in use see each count at
// some recent value: a plain 64-bit store is never torn on the platforms Go
// supports, but a snapshot is not a consistent cut. Read it when the load
// has stopped for exact figures.

// WaitSampleEvery and HoldSampleEvery are the sampling periods of wait and
// hold times: one contended acquisition in 256 on average is timed from the
// start of its wait, every 1024th acquisition (per P for readers) for its
// hold. Two clock reads cost 66 ns here: at 1 in 1024 that is 0.06 ns per
// acquisition.
const (
	WaitSampleEvery = 256
	HoldSampleEvery = 1024
)

// Side is the side of a lock an event belongs to, as lock_stat's -W and -R
// lines: an exclusive lock has only a write side.
type Side uint8

// The sides.
const (
	Writer Side = iota // Lock and Unlock
	Reader             // RLock and RUnlock, a seqlock's read
	numSides
)

func (s Side) String() string {
	if s == Reader {
		return "read"
	}
	return "write"
}

// Event is something a lock counts.
type Event uint8

// The events. A strategy counts those it has; the others stay zero.
const (
	// Acquisitions: every acquisition, counted by the lock's user
	// (Stats.Acquire). A seqlock's readers take no lock and are not counted.
	Acquisitions Event = iota
	// Contentions: acquisitions that had to wait (took the slow path).
	Contentions
	// Spins: failed checks of the lock word (or the waiter's own word)
	// while waiting.
	Spins
	// Yields: runtime.Gosched calls while waiting.
	Yields
	// Parks: sleeps on a semaphore while waiting.
	Parks
	// Wakeups: semaphore releases of a sleeping waiter by an unlocker.
	Wakeups
	// Handoffs: releases that passed the lock to a chosen waiter (FIFO
	// locks) rather than freeing it for whoever comes first, counted by
	// the waiter that received it.
	Handoffs
	// Pending: qspin's waits as the pending waiter (the first waiter, on
	// the lock word itself, with no queue node).
	Pending
	// Queued: waits in a queue of nodes (qspin's MCS queue, mcs).
	Queued
	// Drains: writers that waited for the readers inside to leave
	// (percpu-rw's drain), or revoked the readers' bias (BRAVO: a scan of
	// its table, with or without readers to wait for).
	Drains
	// Retries: a seqlock's reads that met a writer (waited for it, or read
	// again because it overlapped).
	Retries
	numEvents
)

var eventNames = [numEvents]string{"acquisitions", "contentions", "spins", "yields", "parks", "wakeups", "handoffs", "pending", "queued", "drains", "retries"}

func (e Event) String() string {
	if e < numEvents {
		return eventNames[e]
	}
	return fmt.Sprintf("event(%d)", e)
}

// Events returns every event, in the order above.
func Events() []Event {
	out := make([]Event, numEvents)
	for i := range out {
		out[i] = Event(i)
	}
	return out
}

// Timing is a time a lock's statistics sample.
type Timing uint8

// The timings.
const (
	WaitTime Timing = iota // from the start of a contended acquisition's slow path to the acquisition
	HoldTime               // from the acquisition to the release
	numTimings
)

func (t Timing) String() string {
	if t == HoldTime {
		return "hold"
	}
	return "wait"
}

// Stats holds one lock's statistics (one lock_stat class). The zero value
// is not usable; NewStats makes one. It is safe for concurrent use.
type Stats struct {
	slots []statSlot // one per P; a P beyond the slice shares a slot atomically
	// unseen is the events the lock cannot count (bit e for Event e): those
	// inside package sync's slow paths. Set by Instrument.
	unseen uint32
}

// statSlot is one P's counts. Padded: each P writes its own slot on every
// acquisition, and two Ps sharing a line would bounce it on every one.
type statSlot struct {
	events [numSides][numEvents]uint64
	times  [numSides][numTimings]timeDist
	_      cacheline.Pad
}

// NewStats returns empty statistics, with a slot for every P that
// GOMAXPROCS or the CPUs allow now.
func NewStats() *Stats {
	clockCostOnce.Do(func() { clockCost = measureClockCost() })
	return &Stats{slots: make([]statSlot, max(runtime.GOMAXPROCS(0), runtime.NumCPU()))}
}

// clockCost is what two back-to-back clock reads measure, the smallest of
// many tries: a timed hold or wait includes it, and record takes it off,
// so that a hold of an empty critical section reads about 0, not the
// clock's 30 ns.
var (
	clockCost     int64
	clockCostOnce sync.Once
)

func measureClockCost() int64 {
	best := int64(math.MaxInt64)
	for range 1000 {
		t0 := Nanotime()
		best = min(best, Nanotime()-t0)
	}
	return best
}

// slot pins the goroutine to its P and returns the P's slot, the P's id,
// and whether plain stores are safe (the P owns the slot, and no race
// detector is watching); the caller must percpu.Unpin.
func (s *Stats) slot() (slot *statSlot, p int, owned bool) {
	p = percpu.Pin()
	if p < len(s.slots) {
		return &s.slots[p], p, !race.Enabled
	}
	return &s.slots[p%len(s.slots)], p, false
}

// add adds n to c, plainly when the caller owns it.
func add(c *uint64, n uint64, owned bool) {
	if owned {
		*c += n
	} else {
		atomic.AddUint64(c, n)
	}
}

// Count adds n to event e of side. A nil Stats counts nothing, at the cost
// of an inlined test.
func (s *Stats) Count(side Side, e Event, n uint64) {
	if s != nil {
		s.count(side, e, n)
	}
}

func (s *Stats) count(side Side, e Event, n uint64) {
	slot, _, owned := s.slot()
	add(&slot.events[side][e], n, owned)
	percpu.Unpin()
}

// Acquire counts one acquisition of side, to be called just before taking
// the lock, and reports whether to time its hold: one in HoldSampleEvery
// per P. A hold is timed with Nanotime, after the lock is taken and before
// it is released, and recorded with Held. It costs a pin of the P (3 ns
// here): a lock's user that holds the lock exclusively can count its
// acquisitions for less, inside the critical section, and add them to its
// snapshots (package counter does).
func (s *Stats) Acquire(side Side) (timeHold bool) {
	p := percpu.Pin()
	if p < len(s.slots) && !race.Enabled {
		c := &s.slots[p].events[side][Acquisitions]
		*c++
		timeHold = *c%HoldSampleEvery == 0
	} else {
		timeHold = atomic.AddUint64(&s.slots[p%len(s.slots)].events[side][Acquisitions], 1)%HoldSampleEvery == 0
	}
	percpu.Unpin()
	return timeHold
}

// WaitRecord is one contended acquisition's wait, as its slow path saw it:
// its event, a strategy's own event, and its spins, yields and parks. A
// lock's LockRecording returns it for the caller to add to the lock's Stats
// with AddWait once it has released the lock: the bookkeeping, a pin of
// the P and a few adds, then costs nothing inside the critical section,
// where every nanosecond is paid again by each waiter.
//
// It is one word, so that returning it costs a register: a pointer passed
// through the Lock interface would escape to the heap, and a struct of
// narrow fields, stored and copied back as a whole, stalls the CPU's store
// forwarding (measured: 8 ns per acquisition). The fields are packed from
// the low bits: event 4, extra 4, hand-off 1, parks 10, yields 18, spins
// 27; each count saturates at its largest value. The zero value is an
// acquisition that did not wait.
type WaitRecord uint64

const (
	recHandoffBit  = 1 << 8
	recParksShift  = 9
	recYieldsShift = 19
	recSpinsShift  = 37
	recParksMax    = 1<<10 - 1
	recYieldsMax   = 1<<18 - 1
	recSpinsMax    = 1<<27 - 1
)

func packWait(event, extra Event, handoff bool, spins, yields, parks uint32) WaitRecord {
	r := WaitRecord(uint64(event) | uint64(extra)<<4 |
		uint64(min(parks, recParksMax))<<recParksShift |
		uint64(min(yields, recYieldsMax))<<recYieldsShift |
		uint64(min(spins, recSpinsMax))<<recSpinsShift)
	if handoff {
		r |= recHandoffBit
	}
	return r
}

// Waited reports whether the acquisition had to wait. A record may also
// hold an event without a wait (BRAVO's revocation that found no reader),
// so the test for anything to count is r != 0.
func (r WaitRecord) Waited() bool { return r&0xf != 0 }

func (r WaitRecord) event() Event   { return Event(r & 0xf) }
func (r WaitRecord) handoff() bool  { return r&recHandoffBit != 0 }
func (r WaitRecord) extra() Event   { return Event(r >> 4 & 0xf) }
func (r WaitRecord) parks() uint64  { return uint64(r) >> recParksShift & recParksMax }
func (r WaitRecord) yields() uint64 { return uint64(r) >> recYieldsShift & recYieldsMax }
func (r WaitRecord) spins() uint64  { return uint64(r) >> recSpinsShift }

// AddWait adds r, a wait of side, to s.
func (s *Stats) AddWait(side Side, r WaitRecord) {
	if r == 0 {
		return
	}
	slot, _, owned := s.slot()
	r.addTo(&slot.events[side], owned)
	percpu.Unpin()
}

func (r WaitRecord) addTo(ev *[numEvents]uint64, owned bool) {
	if e := r.event(); e != Acquisitions {
		add(&ev[e], 1, owned)
	}
	if e := r.extra(); e != Acquisitions {
		add(&ev[e], 1, owned)
	}
	if r.handoff() {
		add(&ev[Handoffs], 1, owned)
	}
	add(&ev[Spins], r.spins(), owned)
	add(&ev[Yields], r.yields(), owned)
	add(&ev[Parks], r.parks(), owned)
}

// HolderCounts are one side's event counts kept by the lock's holder, in
// plain words that only a holder writes: a lock's user that holds it
// exclusively counts its acquisitions and waits there, inside the critical
// section, at the cost of a few plain adds to a line it owns already
// (package counter keeps them next to its value), where a per-P count
// costs a pin of the P. Read them under the lock.
type HolderCounts [numEvents]uint64

// Acquired counts one acquisition and the wait LockRecording returned for
// it, and reports whether to time the hold: every HoldSampleEvery-th.
func (c *HolderCounts) Acquired(r WaitRecord) (timeHold bool) {
	c[Acquisitions]++
	if r != 0 {
		r.addTo((*[numEvents]uint64)(c), true)
	}
	return c[Acquisitions]%HoldSampleEvery == 0
}

// AddTo adds the counts to side of s.
func (c *HolderCounts) AddTo(s *StatSnapshot, side Side) {
	for e, n := range c {
		s.Events[side][e] += n
	}
}

// RecordingLock is a lock that can hand a contended acquisition's wait to
// its caller (see WaitRecord) rather than count it while held. Every
// strategy that Instrument instruments is one.
type RecordingLock interface {
	Lock
	// LockRecording is Lock; if the acquisition waited and statistics are
	// on, it returns the wait, uncounted: the caller adds it with AddWait.
	LockRecording() WaitRecord
}

// Nanotime is the clock holds and waits are timed with (a monotonic clock
// without time.Now's wall-clock read).
func Nanotime() int64 { return clock.Nanotime() }

// Held records a sampled hold of side that started at start (Nanotime).
func (s *Stats) Held(side Side, start int64) {
	s.record(side, HoldTime, Nanotime()-start)
}

// record adds one sample of timing t, less the clock's own cost.
func (s *Stats) record(side Side, t Timing, ns int64) {
	slot, _, owned := s.slot()
	slot.times[side][t].add(uint64(max(ns-clockCost, 0)), owned)
	percpu.Unpin()
}

// Reset clears every count, as writing 0 to /proc/lock_stat does. Counts
// made while it runs may survive it.
func (s *Stats) Reset() {
	for i := range s.slots {
		slot := &s.slots[i]
		for side := range slot.events {
			for e := range slot.events[side] {
				atomic.StoreUint64(&slot.events[side][e], 0)
			}
			for t := range slot.times[side] {
				slot.times[side][t].reset()
			}
		}
	}
}

// Snapshot sums the slots.
func (s *Stats) Snapshot() StatSnapshot {
	out := StatSnapshot{Unseen: s.unseen}
	for i := range s.slots {
		slot := &s.slots[i]
		for side := range slot.events {
			for e := range slot.events[side] {
				out.Events[side][e] += atomic.LoadUint64(&slot.events[side][e])
			}
			for t := range slot.times[side] {
				out.Times[side][t].merge(&slot.times[side][t])
			}
		}
	}
	return out
}

// StatSnapshot is a lock's statistics at one moment, summed over Ps.
type StatSnapshot struct {
	Events [numSides][numEvents]uint64
	Times  [numSides][numTimings]TimeStats
	// Unseen has bit e set for each Event e the lock cannot count: its
	// count reads 0 but means "not measured" (see Seen).
	Unseen uint32
}

// Seen reports whether the lock counts event e: false for the events
// inside package sync's slow paths (mutex, rwmutex, BRAVO's underlying
// RWMutex), whose zero means "not measured", not "never".
func (s *StatSnapshot) Seen(e Event) bool { return s.Unseen&(1<<e) == 0 }

// Count returns event e of side.
func (s *StatSnapshot) Count(side Side, e Event) uint64 { return s.Events[side][e] }

// Total returns event e of both sides.
func (s *StatSnapshot) Total(e Event) uint64 { return s.Events[Writer][e] + s.Events[Reader][e] }

// Time returns the samples of timing t of side.
func (s *StatSnapshot) Time(side Side, t Timing) *TimeStats { return &s.Times[side][t] }

// TimeStats summarises sampled times: count, sum, min, max and a
// log-linear histogram (8 buckets per power of two: within 12.5%) for
// percentiles.
type TimeStats struct {
	N, Sum, Min, Max uint64 // ns; Min and Max are 0 when N is 0
	buckets          [histBuckets]uint64
}

// Mean returns the mean time in ns, 0 without samples.
func (t *TimeStats) Mean() float64 {
	if t.N == 0 {
		return 0
	}
	return float64(t.Sum) / float64(t.N)
}

// Quantile returns the q-quantile (0.99 for p99) in ns, from the
// histogram: the midpoint of the bucket holding it, within [Min, Max].
// Without samples it is 0.
func (t *TimeStats) Quantile(q float64) float64 {
	if t.N == 0 {
		return 0
	}
	rank := uint64(math.Ceil(q * float64(t.N)))
	var cum uint64
	for i, c := range t.buckets {
		cum += c
		if cum >= rank {
			lo, hi := bucketBounds(i)
			return math.Min(math.Max((lo+hi)/2, float64(t.Min)), float64(t.Max))
		}
	}
	return float64(t.Max)
}

// Add merges o's samples into t.
func (t *TimeStats) Add(o *TimeStats) {
	if o.N == 0 {
		return
	}
	if t.N == 0 || o.Min < t.Min {
		t.Min = o.Min
	}
	t.Max = max(t.Max, o.Max)
	t.N += o.N
	t.Sum += o.Sum
	for i, c := range o.buckets {
		t.buckets[i] += c
	}
}

func (t *TimeStats) merge(d *timeDist) {
	n := atomic.LoadUint64(&d.n)
	if n == 0 {
		return
	}
	lo, hi := atomic.LoadUint64(&d.min), atomic.LoadUint64(&d.max)
	if t.N == 0 || lo < t.Min {
		t.Min = lo
	}
	t.Max = max(t.Max, hi)
	t.N += n
	t.Sum += atomic.LoadUint64(&d.sum)
	for i := range d.buckets {
		t.buckets[i] += atomic.LoadUint64(&d.buckets[i])
	}
}

// timeDist is one P's samples of one timing.
type timeDist struct {
	n, sum, min, max uint64 // min is valid only when n > 0
	buckets          [histBuckets]uint64
}

func (d *timeDist) add(ns uint64, owned bool) {
	add(&d.buckets[bucketOf(ns)], 1, owned)
	add(&d.sum, ns, owned)
	if owned {
		if d.n == 0 || ns < d.min {
			d.min = ns
		}
		d.max = max(d.max, ns)
		d.n++
		return
	}
	for {
		n, lo := atomic.LoadUint64(&d.n), atomic.LoadUint64(&d.min)
		if n != 0 && ns >= lo || atomic.CompareAndSwapUint64(&d.min, lo, ns) {
			break
		}
	}
	for {
		hi := atomic.LoadUint64(&d.max)
		if ns <= hi || atomic.CompareAndSwapUint64(&d.max, hi, ns) {
			break
		}
	}
	atomic.AddUint64(&d.n, 1)
}

func (d *timeDist) reset() {
	atomic.StoreUint64(&d.n, 0)
	atomic.StoreUint64(&d.sum, 0)
	atomic.StoreUint64(&d.min, 0)
	atomic.StoreUint64(&d.max, 0)
	for i := range d.buckets {
		atomic.StoreUint64(&d.buckets[i], 0)
	}
}

// The histogram: values below 16 ns have a bucket each; above, each power
// of two [2^e, 2^(e+1)) has 8 buckets, up to 2^maxExp ns (about 18
// minutes), where the last bucket takes everything longer.
const (
	histLinear  = 16
	histSubBits = 3
	maxExp      = 40
	histBuckets = histLinear + (maxExp-4+1)<<histSubBits
)

func bucketOf(ns uint64) int {
	if ns < histLinear {
		return int(ns)
	}
	e := bits.Len64(ns) - 1 // 2^e <= ns, e >= 4
	if e > maxExp {
		return histBuckets - 1
	}
	sub := int(ns>>(e-histSubBits)) & (1<<histSubBits - 1)
	return histLinear + (e-4)<<histSubBits + sub
}

// bucketBounds returns bucket i's range [lo, hi) in ns.
func bucketBounds(i int) (lo, hi float64) {
	if i < histLinear {
		return float64(i), float64(i + 1)
	}
	e := (i-histLinear)>>histSubBits + 4
	sub := (i - histLinear) & (1<<histSubBits - 1)
	width := math.Ldexp(1, e-histSubBits)
	lo = float64(1<<histSubBits+sub) * width
	return lo, lo + width
}

// statsHolder is a strategy that counts its own slow-path events.
type statsHolder interface {
	setStats(*Stats)
}

// Instrument makes l count its events into s, and returns the lock to use
// from then on, which must be a fresh one:
//   - lockbench's own strategies count on their slow paths and come back
//     themselves;
//   - mutex and rwmutex, built on package sync, whose slow paths lockbench
//     cannot see, come back as a new lock that tries first and counts a
//     failed try as a contention, and times the wait as the others do; it
//     cannot count spins, yields or parks (StatSnapshot.Seen says so);
//   - any other lock (busted-rw) comes back unchanged and counts nothing.
//
// All but the last are RecordingLocks.
func Instrument(l Lock, s *Stats) Lock {
	if h, ok := l.(statsHolder); ok {
		h.setStats(s)
		if _, ok := l.(*BRAVO); ok {
			// Its writers and slow readers wait inside a sync.RWMutex; only
			// its revocations' spins are its own.
			s.unseen = syncUnseen &^ (1 << Spins)
		}
		return l
	}
	switch l.(type) {
	case *Mutex:
		s.unseen = syncUnseen
		return &statMutex{stats: s}
	case *RWMutex:
		s.unseen = syncUnseen
		return &statRWMutex{stats: s}
	}
	return l
}

// syncUnseen are the events inside package sync's slow paths.
const syncUnseen = 1<<Spins | 1<<Yields | 1<<Parks | 1<<Wakeups | 1<<Handoffs

var (
	_ RecordingLock = (*TAS)(nil)
	_ RecordingLock = (*TTAS)(nil)
	_ RecordingLock = (*Ticket)(nil)
	_ RecordingLock = (*MCS)(nil)
	_ RecordingLock = (*QSpin)(nil)
	_ RecordingLock = (*Busted)(nil)
	_ RecordingLock = (*QRWLock)(nil)
	_ RecordingLock = (*PercpuRW)(nil)
	_ RecordingLock = (*BRAVO)(nil)
	_ RecordingLock = (*Seqlock)(nil)
)
