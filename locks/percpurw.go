package locks

import (
	"sync/atomic"
	"unsafe"

	"github.com/lockbench/lockbench/internal/cacheline"
)

func init() {
	Register(Ops{
		Name: "percpu-rw",
		Doc:  "the kernel's percpu_rw_semaphore: readers count on lines of their own; a writer blocks new readers and waits for the per-P counts to sum to zero",
		New:  func() Lock { return new(PercpuRW) },
	})
}

var _ RWLock = (*PercpuRW)(nil)

// percpuRWSlots is how many reader counts a PercpuRW keeps; readers that
// map to one share it (still correct: every count is atomic).
const percpuRWSlots = 64

// PercpuRW is modelled on the kernel's percpu_rw_semaphore (and the older
// brlock): a reader adds one to a count of its own and checks that no
// writer is in; readers running at once mostly write different lines, so
// reads scale with CPUs. A writer pays for that: it sets block, so that
// readers stop coming in, and waits until the counts sum to zero.
//
// A reader increments one count (readerSlot: its goroutine's, where the
// kernel's is its CPU's) and may decrement, in RUnlock, another, so one
// count can go negative; only the sum means anything. Correctness rests on
// two rules. A reader that must back off decrements the very count it
// incremented (the kernel stays on one CPU for that), so a backing-off
// reader never shows the writer a lone -1. And block and the counts are
// Dekker's pair: the reader adds then loads block, the writer stores block
// then sums, with
// sequentially consistent atomics, so a reader the writer's sum misses has
// seen block and backed off. Every reader inside has its +1 visible to the
// sum, and a -1 only ever follows its own +1, so a sum of zero means no
// reader is inside.
//
// Fairness: writers serialize on a ticket lock, FIFO, and block new readers
// while they wait, so readers cannot starve a writer; readers that find a
// writer in wait (yielding) until it leaves. The zero value is an unlocked
// lock. A PercpuRW must not be copied after first use. Unlock when no
// writer holds it panics; an RUnlock without its RLock is not detected (it
// would need the sum of the counts).
type PercpuRW struct {
	block   atomic.Uint32 // 1 while a writer holds the lock or waits for readers to drain
	stats   *Stats        // nil unless statistics are on; read-only after Instrument
	_       cacheline.Pad
	readers [percpuRWSlots]cacheline.Int64 // reader counts, one per readerSlot; their sum is the readers inside
	writers Ticket                         // serializes writers
}

// RLock acquires l for reading.
func (l *PercpuRW) RLock() {
	slot := &l.readers[readerSlot()]
	slot.Add(1)
	if l.block.Load() != 0 {
		l.rlockSlow(slot)
	}
}

// rlockSlow backs off while a writer is in, and tries again.
func (l *PercpuRW) rlockSlow(slot *cacheline.Int64) {
	var s spinner
	s.init(l.stats, WaitYield, Reader, false)
	for {
		slot.Add(-1) // back off on the slot we counted on: the sum never sees a lone -1
		for l.block.Load() != 0 {
			s.spin()
		}
		slot = &l.readers[readerSlot()]
		slot.Add(1)
		if l.block.Load() == 0 {
			s.done(Contentions)
			return
		}
	}
}

func (l *PercpuRW) setStats(s *Stats) { l.stats = s }

// RUnlock releases one read lock: minus one on whatever slot the goroutine
// now maps to.
func (l *PercpuRW) RUnlock() {
	l.readers[readerSlot()].Add(-1)
}

// readerSlot picks a reader's count from the address of its goroutine's
// stack: no call, unlike asking for its P (percpu.ID pins and unpins), and
// stable while the stack does not move. Goroutines running at once are on
// different stacks, so they mostly count on different lines; when two
// share one, or a stack moves between RLock and RUnlock, the sum is still
// right.
func readerSlot() int {
	var here byte
	h := uint64(uintptr(unsafe.Pointer(&here))>>12) * 0x9e3779b97f4a7c15
	return int(h >> 58) // the top 6 bits: percpuRWSlots = 64
}

// Lock acquires l for writing: block new readers, then wait for the ones
// inside to leave.
func (l *PercpuRW) Lock() {
	if l.stats != nil {
		l.lock(false)
		return
	}
	// Without statistics, the write path as it was before them: it runs
	// on every write, not only on contended ones.
	l.writers.Lock()
	l.block.Store(1)
	s := spinner{policy: WaitYield}
	for l.readersInside() != 0 {
		s.spin()
	}
}

// LockRecording implements RecordingLock.
func (l *PercpuRW) LockRecording() WaitRecord { return l.lock(true) }

func (l *PercpuRW) lock(recording bool) WaitRecord {
	var s spinner
	s.init(l.stats, WaitYield, Writer, recording)
	waited := l.writers.lockWaiting(&s)
	l.block.Store(1)
	if l.readersInside() != 0 {
		for l.readersInside() != 0 {
			s.spin()
		}
		s.extra = Drains
		waited = true
	}
	if !waited {
		return 0
	}
	return s.done(Contentions)
}

// readersInside sums the per-P counts.
func (l *PercpuRW) readersInside() int64 {
	var sum int64
	for i := range l.readers {
		sum += l.readers[i].Load()
	}
	return sum
}

// Unlock releases the write lock. It panics if no writer holds l.
func (l *PercpuRW) Unlock() {
	if l.block.Load() == 0 {
		panic("locks: unlock of unlocked percpu-rw lock")
	}
	l.block.Store(0)
	l.writers.Unlock()
}
