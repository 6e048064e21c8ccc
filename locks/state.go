package locks

import "fmt"

// A Stater describes its lock's words for a person looking at a stall or a
// long wait, as the kernel's lock debugging prints a lock's fields: who
// holds it and who waits. The description is read with atomic loads, so it
// may be taken while the lock is in use, and is a moment's picture.
type Stater interface {
	LockState() string
}

// StateOf returns l's state as its LockState describes it, or "" for a
// lock that does not describe itself (mutex, rwmutex, percpu-rw and
// bravo).
func StateOf(l Lock) string {
	if s, ok := l.(Stater); ok {
		return s.LockState()
	}
	return ""
}

var (
	_ Stater = (*Ticket)(nil)
	_ Stater = (*TAS)(nil)
	_ Stater = (*TTAS)(nil)
	_ Stater = (*MCS)(nil)
	_ Stater = (*QSpin)(nil)
	_ Stater = (*QRWLock)(nil)
	_ Stater = (*Seqlock)(nil)
)

// LockState describes the ticket word: "owner=5 next=8: held, 2 waiting".
func (l *Ticket) LockState() string {
	w := l.word.Load()
	next, owner := uint32(w>>32), uint32(w)
	return fmt.Sprintf("owner=%d next=%d: %s", owner, next, heldBy(next-owner))
}

// LockState describes the lock word: "held" or "unlocked".
func (l *TAS) LockState() string { return heldBy(l.state.Load()) }

// LockState describes the lock word: "held" or "unlocked".
func (l *TTAS) LockState() string { return heldBy(l.state.Load()) }

// LockState describes the queue's tail: "unlocked", "held, no queue" or
// "held, queue tail node 3".
func (l *MCS) LockState() string {
	switch tail := l.tail.Load(); tail {
	case 0:
		return "unlocked"
	case mcsFast:
		return "held, no queue"
	default:
		return fmt.Sprintf("held, queue tail node %d", tail)
	}
}

// LockState describes the word as qspinlock.c writes it, (tail, pending,
// locked): "(tail=3, pending=1, locked=1)".
func (l *QSpin) LockState() string {
	w := l.word.Load()
	return fmt.Sprintf("(tail=%d, pending=%d, locked=%d)", w>>qTailShift, w&qPending>>1, w&qLocked)
}

// LockState describes the count word as qrwlock.c writes it, (readers,
// waiting, locked), and the queue: "(readers=2, waiting=1, locked=0),
// queue owner=4 next=6: held, 1 waiting".
func (l *QRWLock) LockState() string {
	c := l.cnts.Load()
	return fmt.Sprintf("(readers=%d, waiting=%d, locked=%d), queue %s",
		c>>9, c&qrwWaiting>>8, boolInt(c&qrwLocked != 0), l.wait.LockState())
}

// LockState describes the sequence and the writers' ticket lock:
// "seq=8 (no writer), writers owner=4 next=4: unlocked".
func (l *Seqlock) LockState() string {
	seq := l.seq.Load()
	in := "no writer"
	if seq%2 == 1 {
		in = "a writer in"
	}
	return fmt.Sprintf("seq=%d (%s), writers %s", seq, in, l.mu.LockState())
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}

// heldBy says what a count of holders and waiters means: "unlocked",
// "held", or "held, n waiting".
func heldBy(n uint32) string {
	switch n {
	case 0:
		return "unlocked"
	case 1:
		return "held"
	}
	return fmt.Sprintf("held, %d waiting", n-1)
}
