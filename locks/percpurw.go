package locks

import (
	"sync/atomic"

	"github.com/lockbench/lockbench/internal/cacheline"
	"github.com/lockbench/lockbench/internal/percpu"
)

func init() {
	Register(Ops{
		Name: "percpu-rw",
		Doc:  "the kernel's percpu_rw_semaphore: readers count on their own P's line; a writer blocks new readers and waits for the per-P counts to sum to zero",
		New:  func() Lock { return new(PercpuRW) },
	})
}

var _ RWLock = (*PercpuRW)(nil)

// percpuRWSlots is how many per-P reader counts a PercpuRW keeps; Ps beyond
// share them (still correct: every count is atomic).
const percpuRWSlots = 64

// PercpuRW is modelled on the kernel's percpu_rw_semaphore (and the older
// brlock): a reader adds one to its own P's count and checks that no writer
// is in; it writes no line that another P's reader writes, so reads scale
// with CPUs. A writer pays for that: it sets block, so that readers stop
// coming in, and waits until the counts of every P sum to zero.
//
// A reader increments on the P it runs on and may decrement, in RUnlock, on
// another, so one count can go negative; only the sum means anything.
// Correctness rests on two rules. A reader's increment, its check of block,
// and its decrement if it must back off all happen on one P (percpu.Pin, as
// the kernel disables preemption), so a backing-off reader never shows the
// writer a lone -1. And block and the counts are Dekker's pair: the reader
// adds then loads block, the writer stores block then sums, with
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
	_       cacheline.Pad
	readers [percpuRWSlots]cacheline.Int64 // per-P reader counts; their sum is the readers inside
	writers Ticket                         // serializes writers
}

// RLock acquires l for reading.
func (l *PercpuRW) RLock() {
	s := spinner{policy: WaitYield}
	for {
		slot := &l.readers[percpu.Pin()%percpuRWSlots]
		slot.Add(1)
		if l.block.Load() == 0 {
			percpu.Unpin()
			return
		}
		slot.Add(-1) // back off on the same P: the sum never sees a lone -1
		percpu.Unpin()
		for l.block.Load() != 0 {
			s.spin()
		}
	}
}

// RUnlock releases one read lock: minus one on whatever P it runs on.
func (l *PercpuRW) RUnlock() {
	l.readers[percpu.ID()%percpuRWSlots].Add(-1)
}

// Lock acquires l for writing: block new readers, then wait for the ones
// inside to leave.
func (l *PercpuRW) Lock() {
	l.writers.Lock()
	l.block.Store(1)
	s := spinner{policy: WaitYield}
	for l.readersInside() != 0 {
		s.spin()
	}
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
