package locks

import (
	"sync/atomic"

	"github.com/lockbench/lockbench/internal/cacheline"
)

func init() {
	Register(Ops{
		Name: "qrwlock",
		Doc:  "the kernel's queued rwlock: readers and writer byte in one word, the slow path queued FIFO on a ticket lock; a waiting writer blocks new readers",
		New:  func() Lock { return new(QRWLock) },
	})
}

var _ RWLock = (*QRWLock)(nil)

// The word of a QRWLock, as the kernel's qrwlock.h lays out cnts:
// (readers, waiting, locked), readers counted from bit 9.
const (
	qrwLocked  = 0x0ff // _QW_LOCKED: a writer holds the lock
	qrwWaiting = 0x100 // _QW_WAITING: a writer waits for the readers to drain
	qrwWMask   = 0x1ff // _QW_WMASK: a writer holds or waits
	qrwBias    = 0x200 // _QR_BIAS: one reader
)

// QRWLock is modelled on the kernel's queued reader-writer lock
// (kernel/locking/qrwlock.c). One word holds the reader count and the
// writer's state; uncontended, a reader is one atomic add and a writer one
// CAS. Everyone who cannot get in at once queues, in arrival order, on
// wait, an internal ticket lock (the kernel's wait_lock, an
// arch_spinlock_t); the head of that queue waits on the word itself.
//
// Fairness: a writer that finds readers in sets waiting, and from then on
// new readers take the slow path and queue behind it (writer preference),
// so a stream of readers cannot starve a writer; the queue is FIFO among
// the waiters. Memory ordering: every transition is a sequentially
// consistent atomic on cnts; a reader's add, or a writer's CAS, acquires,
// and RUnlock's and Unlock's adds release.
//
// The zero value is an unlocked lock. A QRWLock must not be copied after
// first use. Unlock when no writer holds it, and RUnlock when no reader
// does, panic.
type QRWLock struct {
	// cnts is readers<<9 | waiting<<8 | locked, locked 0xff or 0.
	// Invariants: locked != 0 implies readers counted are only fast-path
	// readers about to take their bias back; waiting is set only by the
	// writer that holds wait.
	cnts  atomic.Uint32
	stats *Stats        // nil unless statistics are on; read-only after Instrument
	_     cacheline.Pad // every reader and writer touches it; prevents false sharing
	wait  Ticket        // queues the slow paths of readers and writers
}

func (l *QRWLock) setStats(s *Stats) { l.stats = s }

// RLock acquires l for reading.
func (l *QRWLock) RLock() {
	// (r, 0, 0) -> (r+1, 0, 0): no writer holds or waits; that is the lock.
	c := l.cnts.Add(qrwBias)
	if c&qrwWMask == 0 && c>>9 != 0 {
		return
	}
	l.rlockSlow(c)
}

// rlockSlow is queued_read_lock_slowpath: take the bias back, queue, and
// once at the head wait only for a writer that holds the lock (a waiting
// writer would hold wait itself).
func (l *QRWLock) rlockSlow(c uint32) {
	l.cnts.Add(^uint32(qrwBias - 1)) // (r+1, w, l) -> (r, w, l)
	if c>>9 == 0 {
		// 2^23 readers carried out of the word: it would read as free.
		panic("locks: qrwlock: more than 8388607 readers")
	}
	var s spinner
	s.init(l.stats, WaitYield, Reader, false)
	l.wait.lockWaiting(&s)
	l.cnts.Add(qrwBias)                // (r, 0, l) -> (r+1, 0, l)
	for l.cnts.Load()&qrwLocked != 0 { // wait for (*, 0, 0): acquires the writer's release
		s.spin()
	}
	l.wait.Unlock()
	s.done(Contentions)
}

// RUnlock releases one read lock. It panics if no reader holds l.
func (l *QRWLock) RUnlock() {
	// Misuse is checked before writing: a wrong count, even for a moment,
	// could clear a waiting writer's bit.
	if l.cnts.Load()>>9 == 0 {
		panic("locks: runlock of unlocked qrwlock lock")
	}
	l.cnts.Add(^uint32(qrwBias - 1)) // (r, w, l) -> (r-1, w, l)
}

// Lock acquires l for writing.
func (l *QRWLock) Lock() {
	// (0, 0, 0) -> (0, 0, locked)
	if l.cnts.CompareAndSwap(0, qrwLocked) {
		return
	}
	l.lockSlow(false)
}

// LockRecording implements RecordingLock.
func (l *QRWLock) LockRecording() WaitRecord {
	if l.cnts.CompareAndSwap(0, qrwLocked) {
		return 0
	}
	return l.lockSlow(true)
}

// lockSlow is queued_write_lock_slowpath: queue; at the head, announce the
// writer so that new readers queue behind it, and wait for the readers in
// to leave.
func (l *QRWLock) lockSlow(recording bool) WaitRecord {
	var s spinner
	s.init(l.stats, WaitYield, Writer, recording)
	l.wait.lockWaiting(&s)
	// (0, 0, 0) -> (0, 0, locked): it came free meanwhile.
	if l.cnts.Load() == 0 && l.cnts.CompareAndSwap(0, qrwLocked) {
		l.wait.Unlock()
		return s.done(Contentions)
	}
	l.cnts.Or(qrwWaiting) // (r, 0, 0) -> (r, waiting, 0)
	// (0, waiting, 0) -> (0, 0, locked), once the readers have drained;
	// a fast-path reader's passing bias only delays it.
	for !l.cnts.CompareAndSwap(qrwWaiting, qrwLocked) {
		s.spin()
	}
	l.wait.Unlock()
	return s.done(Contentions)
}

// Unlock releases the write lock. It panics if no writer holds l.
func (l *QRWLock) Unlock() {
	// Misuse is checked before writing: subtracting from a word whose
	// locked byte is 0 borrows from the waiting bit, and a writer's Or in
	// that moment would be lost when the subtraction is undone.
	if l.cnts.Load()&qrwLocked != qrwLocked {
		panic("locks: unlock of unlocked qrwlock lock")
	}
	l.cnts.Add(^uint32(qrwLocked - 1)) // (r, w, locked) -> (r, w, 0); r counts only readers passing through
}
