package locks

// The wrappers Instrument puts around the strategies built on package sync,
// whose slow paths lockbench cannot see. A try that fails is a contention,
// as the kernel's lock_contended hook marks a lock that was not free; the
// wait is timed as the other strategies time theirs. sync's own spins,
// yields and parks stay uncounted. The fast path is one TryLock, the same
// compare-and-swap as Lock's own fast path.

var (
	_ Lock   = (*statMutex)(nil)
	_ RWLock = (*statRWMutex)(nil)
)

// statMutex is a Mutex that counts its contentions.
type statMutex struct {
	*Mutex
	stats *Stats
}

func (m *statMutex) Lock() {
	if m.mu.TryLock() {
		return
	}
	s := m.stats.waiter(WaitPark, Writer)
	m.mu.Lock()
	s.done(Contentions)
}

// statRWMutex is an RWMutex that counts its contentions on both sides.
type statRWMutex struct {
	*RWMutex
	stats *Stats
}

func (rw *statRWMutex) Lock() {
	if rw.rw.TryLock() {
		return
	}
	s := rw.stats.waiter(WaitPark, Writer)
	rw.rw.Lock()
	s.done(Contentions)
}

func (rw *statRWMutex) RLock() {
	if rw.rw.TryRLock() {
		return
	}
	s := rw.stats.waiter(WaitPark, Reader)
	rw.rw.RLock()
	s.done(Contentions)
}
