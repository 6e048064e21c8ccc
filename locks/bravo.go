package locks

import (
	"sync/atomic"
	"time"
	"unsafe"

	"github.com/lockbench/lockbench/internal/cacheline"
)

func init() {
	Register(Ops{
		Name:        "bravo",
		UnlockFatal: true,
		Doc:         "BRAVO (Dice & Kogan, 2019) over sync.RWMutex: biased readers publish themselves in a global table instead of the lock's count; writers revoke the bias",
		New:         func() Lock { return new(BRAVO) },
	})
}

var _ TokenRWLock = (*BRAVO)(nil)

const (
	// bravoSlots is the size of the global visible-readers table, shared by
	// every BRAVO lock, as the paper's is.
	bravoSlots = 4096
	// bravoInhibit is the paper's N: after a revocation that took t, the
	// bias stays off for N*t, bounding what revocations cost writers to
	// about 1/(N+1) of their time.
	bravoInhibit = 9
)

// visibleReaders is BRAVO's global table: a slot holds the address of the
// lock a fast reader is reading, or 0. Addresses as integers, not
// pointers: an atomic on a pointer goes through the garbage collector's
// write barrier, a call, and the table is only ever compared, never
// followed. An address stays the lock's: Go's heap does not move objects,
// and a BRAVO always lives on the heap (its RWMutex's semaphore takes its
// address, so escape analysis moves it there); the reader's own reference
// keeps it alive while its slot holds it.
var visibleReaders [bravoSlots]atomic.Uintptr

// bravoEpoch is the origin of the inhibit clock.
var bravoEpoch = time.Now()

// BRAVO is the reader-biased wrapper of Dice and Kogan ("BRAVO: Biased
// Locking for Reader-Writer Locks", USENIX ATC 2019) around sync.RWMutex.
// While the lock is biased to readers (unbiased false), a reader does not touch the
// underlying lock: it CASes the lock's address into a slot of a global
// table chosen by hashing that address with its goroutine's stack, and, if
// the bias still holds, it is in. A writer takes the underlying write lock,
// clears the bias, and waits until no slot of the table holds the lock
// (revocation); the bias then stays off for bravoInhibit times what the
// revocation took, and the first writer to unlock after that turns it on
// again.
//
// The paper's readers remember their slot in the thread; Go has no
// goroutine identity, so a fast read carries it as a token:
// RLockToken returns the slot (or -1 for the slow path) and RUnlockToken
// takes it. RLock and RUnlock, which cannot carry one, always take the
// slow path, which is sync.RWMutex's.
//
// Correctness: the reader's CAS into its slot and its load of unbiased, and
// the writer's store of unbiased and its scan of the table, are Dekker's pair
// with sequentially consistent atomics, so a fast reader the scan misses
// has seen the bias off and left its slot. Fairness: the underlying
// RWMutex's (writer preference); fast readers do not wait for writers at
// all until a writer revokes the bias. The zero value is an unlocked lock
// biased to readers. A BRAVO must not be
// copied after first use. Unlock of an unlocked BRAVO is sync.RWMutex's
// fatal error; RUnlockToken of a slot that does not hold it panics.
type BRAVO struct {
	unbiased     atomic.Bool  // the readers' bias is off (revoked): the zero value is biased
	inhibitUntil atomic.Int64 // ns since bravoEpoch before which the bias stays off
	stats        *Stats       // nil unless statistics are on; read-only after Instrument
	_            cacheline.Pad
	rw           RWMutex // the underlying lock
}

// RLockToken acquires l for reading and returns the token for
// RUnlockToken.
func (l *BRAVO) RLockToken() int {
	if !l.unbiased.Load() {
		slot, me := l.slot(), l.addr()
		if visibleReaders[slot].CompareAndSwap(0, me) {
			if !l.unbiased.Load() { // Dekker: the writer's scan will see our slot
				return slot
			}
			visibleReaders[slot].Store(0) // a writer is revoking: go the slow way
		}
	}
	l.rlockSlow()
	return -1
}

// rlockSlow takes the underlying read lock, counting a contention when it
// is not free at once.
func (l *BRAVO) rlockSlow() {
	if l.stats == nil {
		l.rw.RLock()
		return
	}
	if !l.rw.rw.TryRLock() {
		waitInSync(l.stats, Reader, false, l.rw.rw.RLock)
	}
}

func (l *BRAVO) setStats(s *Stats) { l.stats = s }

// RUnlockToken releases the read lock that RLockToken returned token for.
// It panics if token names a slot that does not hold l.
func (l *BRAVO) RUnlockToken(token int) {
	if token < 0 {
		l.rw.RUnlock()
		return
	}
	if !visibleReaders[token].CompareAndSwap(l.addr(), 0) {
		panic("locks: runlock of unlocked bravo lock")
	}
}

// addr is the lock's identity in the table.
func (l *BRAVO) addr() uintptr { return uintptr(unsafe.Pointer(l)) }

// slot hashes the lock's address with the reader's stack (the paper hashes
// it with the thread), so that readers of one lock, and of different
// locks, spread over the table.
func (l *BRAVO) slot() int {
	var here byte
	h := uint64(uintptr(unsafe.Pointer(l)))*0x9e3779b97f4a7c15 + uint64(uintptr(unsafe.Pointer(&here))>>12)*0xbf58476d1ce4e5b9
	return int(h >> 52) // the top 12 bits: bravoSlots = 4096
}

// RLock acquires l for reading by the slow path, which needs no token.
func (l *BRAVO) RLock() { l.rlockSlow() }

// RUnlock releases a read lock that RLock took.
func (l *BRAVO) RUnlock() { l.rw.RUnlock() }

// Lock acquires l for writing, revoking the readers' bias if it is on.
func (l *BRAVO) Lock() {
	if l.stats != nil {
		l.lock(false)
		return
	}
	// Without statistics, the write path as it was before them: it runs
	// on every write, not only on contended ones.
	l.rw.Lock()
	if !l.unbiased.Load() {
		s := spinner{policy: WaitYield}
		l.revoke(&s)
	}
}

// LockRecording implements RecordingLock.
func (l *BRAVO) LockRecording() WaitRecord { return l.lock(true) }

func (l *BRAVO) lock(recording bool) WaitRecord {
	// The spinner is readied only when there is something to tell: most
	// writes neither wait nor revoke, and readying it draws a random
	// number.
	var s spinner
	waited := false
	if !l.rw.rw.TryLock() {
		s.init(l.stats, WaitYield, Writer, recording)
		l.rw.Lock()
		waited = true
	}
	if !l.unbiased.Load() {
		if !waited {
			s.init(l.stats, WaitYield, Writer, recording)
		}
		spins := s.spins
		l.revoke(&s)
		waited = waited || s.spins != spins // a reader was inside
		s.extra = Drains
	}
	if !waited {
		return s.done(Acquisitions) // a revocation that waited for nobody, or nothing
	}
	return s.done(Contentions)
}

// revoke turns the readers' bias off and waits until no fast reader of l
// is left in the table.
func (l *BRAVO) revoke(s *spinner) {
	l.unbiased.Store(true)
	start := time.Since(bravoEpoch)
	me := l.addr()
	for i := range visibleReaders {
		for visibleReaders[i].Load() == me {
			s.spin()
		}
	}
	now := time.Since(bravoEpoch)
	l.inhibitUntil.Store(int64(now + bravoInhibit*(now-start)))
}

// Unlock releases the write lock.
//
// It turns the readers' bias back on when the inhibition that its own or
// an earlier revocation set is over. (The paper has slow readers do it,
// reading the cycle counter on every slow read; Go's clock costs tens of
// ns, a large part of a read, while a writer reads it once per write. The
// price: after the last write of a burst, the bias stays off until the
// next write.) Turning it on before releasing is safe: the writer's
// critical section is over, and a later writer revokes it again.
func (l *BRAVO) Unlock() {
	if l.unbiased.Load() && int64(time.Since(bravoEpoch)) >= l.inhibitUntil.Load() {
		l.unbiased.Store(false)
	}
	l.rw.Unlock()
}
