package locks

// RWLock is a reader-writer lock: Lock and Unlock exclude everyone, RLock
// and RUnlock admit any number of readers at once but no writer. Its method
// set is that of sync.RWMutex less the TryLocks. A strategy registered with
// a New that returns an RWLock is a reader-writer strategy (Ops.RW).
type RWLock interface {
	Lock
	RLock()
	RUnlock()
}

// SequenceLock is a sequence lock's read side (the kernel's read_seqbegin and
// read_seqretry): a reader takes no lock at all, reads, and tries again if a
// writer overlapped. Writers use Lock and Unlock. A strategy whose New
// returns a SequenceLock is registered with Ops.Seq.
//
// What it can protect: data that a reader may read while a writer changes
// it, every word read with an atomic load (in Go, a plain read that races
// with a write is a data race, whatever retry follows), and that the reader
// only uses once ReadRetry says it was consistent. What it cannot: anything
// a reader must not see half-written while it reads (a pointer it follows,
// a length it indexes by) unless every such access is itself safe, and any
// read whose side effects cannot be undone.
type SequenceLock interface {
	Lock
	ReadBegin() uint32
	ReadRetry(seq uint32) bool
}

// TokenRWLock is a reader-writer lock whose readers carry a token from
// RLockToken to RUnlockToken: which of its ways in a reader took, which a
// token-less RUnlock could not know (Go has no goroutine identity). Its
// RLock and RUnlock still work, by the way that needs no token.
type TokenRWLock interface {
	RWLock
	RLockToken() int
	RUnlockToken(token int)
}

// ReadSide is how a reader enters and leaves a lock of any kind: an
// RWLock's read side (a TokenRWLock's, with its token), a SequenceLock's
// lockless read, an exclusive lock's Lock. Enter returns what Exit takes;
// Exit reports whether the read stands: a lockless read that a writer
// overlapped does not, and must be done again. The checks (the torture,
// the conformance suite) read through it; the counter keeps a typed path
// per kind, which its hot path needs.
type ReadSide struct {
	Enter    func() uint32
	Exit     func(uint32) bool
	Lockless bool // readers take no lock: check only a read that stands
}

// ReadSideOf returns l's read side.
func ReadSideOf(l Lock) ReadSide {
	switch l := l.(type) {
	case SequenceLock:
		return ReadSide{l.ReadBegin, func(seq uint32) bool { return !l.ReadRetry(seq) }, true}
	case TokenRWLock:
		return ReadSide{
			func() uint32 { return uint32(l.RLockToken()) },
			func(t uint32) bool { l.RUnlockToken(int(int32(t))); return true },
			false,
		}
	case RWLock:
		return ReadSide{func() uint32 { l.RLock(); return 0 }, func(uint32) bool { l.RUnlock(); return true }, false}
	}
	return ReadSide{func() uint32 { l.Lock(); return 0 }, func(uint32) bool { l.Unlock(); return true }, false}
}
