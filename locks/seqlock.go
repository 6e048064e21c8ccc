package locks

import (
	"sync/atomic"

	"github.com/lockbench/lockbench/internal/cacheline"
)

func init() {
	Register(Ops{
		Name: "seqlock",
		Doc:  "the kernel's seqlock: writers bump a sequence count under a ticket lock; readers take no lock and retry when a writer overlapped",
		New:  func() Lock { return new(Seqlock) },
	})
}

var _ SequenceLock = (*Seqlock)(nil)

// Seqlock is the kernel's seqlock_t: a sequence count and a lock for
// writers. A writer takes the lock and makes the count odd, writes, and
// makes it even again; a reader takes no lock: it reads an even count
// (ReadBegin), reads the data, and reads it again if the count changed
// meanwhile (ReadRetry). Readers never delay writers and never write a
// shared line, so reads scale with CPUs; a reader that keeps meeting
// writers keeps retrying. See SequenceLock for what it can protect.
//
// Fairness: writers queue FIFO on a ticket lock; readers do not queue at
// all and may retry without bound while writers keep writing. Memory
// ordering: Go's atomics are sequentially consistent, so a reader whose two
// loads of seq return the same even value read data that no writer changed
// in between; the data itself must be read with atomic loads.
//
// The zero value is an unlocked lock. A Seqlock must not be copied after
// first use. Unlock when no writer holds it panics.
type Seqlock struct {
	// seq is even while no writer is in, odd while one is. Only the writer
	// that holds mu changes it.
	seq   atomic.Uint32
	_     cacheline.Pad // every reader reads it, every writer writes it
	mu    Ticket        // serializes writers
	stats *Stats        // nil unless statistics are on; read-only after Instrument
}

// setStats counts the writers' waits (on the ticket lock) and the readers'
// waits for a writer, as retries.
func (l *Seqlock) setStats(s *Stats) {
	l.stats = s
	l.mu.stats = s
}

// Lock acquires l for writing: (even) -> (odd).
func (l *Seqlock) Lock() {
	l.mu.Lock()
	l.seq.Add(1)
}

// LockRecording implements RecordingLock: the writers' wait is the ticket
// lock's.
func (l *Seqlock) LockRecording() WaitRecord {
	r := l.mu.LockRecording()
	l.seq.Add(1)
	return r
}

// Unlock releases the write lock: (odd) -> (even). It panics if no writer
// holds l.
func (l *Seqlock) Unlock() {
	if l.seq.Load()&1 == 0 {
		panic("locks: unlock of unlocked seqlock lock")
	}
	l.seq.Add(1)
	l.mu.Unlock()
}

// ReadBegin waits for no writer to be in and returns the count to pass to
// ReadRetry, as read_seqbegin does.
func (l *Seqlock) ReadBegin() uint32 {
	if seq := l.seq.Load(); seq&1 == 0 {
		return seq // no writer in: the common case, inlined
	}
	return l.readBeginSlow()
}

// readBeginSlow waits out the writer that is in.
func (l *Seqlock) readBeginSlow() uint32 {
	var s spinner
	s.init(l.stats, WaitYield, Reader, false)
	for {
		if seq := l.seq.Load(); seq&1 == 0 {
			s.done(Retries)
			return seq
		}
		s.spin()
	}
}

// ReadRetry reports whether a writer overlapped the read that began with
// seq, so that the reader must read again, as read_seqretry does.
func (l *Seqlock) ReadRetry(seq uint32) bool { return l.seq.Load() != seq }
