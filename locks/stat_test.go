package locks_test

import (
	"runtime"
	"slices"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/lockbench/lockbench/locks"
)

// contend runs the scripted interleaving the statistics are tested on: the
// holder takes side wr of l, a second goroutine tries side rd and is blocked,
// the holder lets go after a while. It returns the statistics of that one
// wait, or false if the waiter never got in line before the release (the
// scheduler did not run it in time; the caller tries again).
func contend(t *testing.T, l locks.Lock, s *locks.Stats, holder, waiter locks.Side) (locks.StatSnapshot, bool) {
	t.Helper()
	lockSide := func(side locks.Side) func() {
		if side == locks.Writer {
			l.Lock()
			return l.Unlock
		}
		r := locks.ReadSideOf(l)
		seq := r.Enter()
		return func() { r.Exit(seq) }
	}
	s.Reset()
	release := lockSide(holder)
	arrived := make(chan struct{})
	done := make(chan struct{})
	go func() {
		close(arrived)
		if waiter == locks.Reader {
			if sl, ok := l.(locks.SequenceLock); ok {
				// A seqlock's reader waits for no lock: it waits for the
				// writer to leave, and that is what it counts.
				sl.ReadBegin()
				close(done)
				return
			}
		}
		lockSide(waiter)()
		close(done)
	}()
	<-arrived
	time.Sleep(20 * time.Millisecond) // time for the waiter to get in line; checked below
	release()
	select {
	case <-done:
	case <-time.After(watchdog):
		t.Fatal("the waiter never got the lock")
	}
	snap := s.Snapshot()
	if waiter == locks.Reader {
		if _, ok := l.(locks.SequenceLock); ok {
			return snap, snap.Count(locks.Reader, locks.Retries) == 1
		}
	}
	return snap, snap.Count(waiter, locks.Contentions) == 1
}

// contended retries contend until the waiter was seen contended: a
// goroutine that the scheduler did not run for 20ms would otherwise make a
// lock that counts correctly look wrong.
func contended(t *testing.T, l locks.Lock, s *locks.Stats, holder, waiter locks.Side) locks.StatSnapshot {
	t.Helper()
	var snap locks.StatSnapshot
	for range 5 {
		var ok bool
		if snap, ok = contend(t, l, s, holder, waiter); ok {
			return snap
		}
	}
	t.Fatalf("no contention counted in five tries: %+v", snap.Events)
	return snap
}

func TestStatsCountAWaitWhereItHappens(t *testing.T) {
	defer locks.TimeEveryWait()()
	withGOMAXPROCS(2, func() {
		forEachLock(t, func(t *testing.T, ops locks.Ops) {
			if pureSpin(ops) {
				t.Skip("a spinning waiter's counts are tested with the other policies")
			}
			s := locks.NewStats()
			l := locks.Instrument(ops.New(), s)
			snap := contended(t, l, s, locks.Writer, locks.Writer)

			assert.Equal(t, uint64(1), snap.Count(locks.Writer, locks.Contentions), "one waiter, one contended acquisition")
			wait := snap.Time(locks.Writer, locks.WaitTime)
			assert.Equal(t, uint64(1), wait.N, "every wait is timed in this test")
			assert.Positive(t, wait.Max)
			assert.Zero(t, snap.Count(locks.Writer, locks.Acquisitions), "acquisitions are the user's to count")

			waited := snap.Count(locks.Writer, locks.Spins) + snap.Count(locks.Writer, locks.Yields) + snap.Count(locks.Writer, locks.Parks)
			switch ops.Name {
			case "mutex", "rwmutex", "bravo":
				assert.Zero(t, waited, "sync's own waiting is out of sight")
				return
			}
			assert.Positive(t, waited, "a waiter blocked for 20ms spun, yielded or parked")
			switch ops.Wait {
			case locks.WaitYield:
				assert.Positive(t, snap.Count(locks.Writer, locks.Yields))
			case locks.WaitPark:
				if ops.Strategy != "qspin" { // qspin's pending waiter never sleeps
					assert.Positive(t, snap.Count(locks.Writer, locks.Parks))
					assert.Equal(t, snap.Count(locks.Writer, locks.Parks), snap.Count(locks.Writer, locks.Wakeups), "every sleeper was woken once")
				}
			}
			switch ops.Strategy {
			case "ticket", "mcs":
				assert.Equal(t, uint64(1), snap.Count(locks.Writer, locks.Handoffs), "the release passed the lock to the waiter")
			case "qspin":
				assert.Equal(t, uint64(1), snap.Count(locks.Writer, locks.Pending), "a lone waiter waits as the pending one")
				assert.Zero(t, snap.Count(locks.Writer, locks.Queued))
			case "tas", "ttas":
				assert.Zero(t, snap.Count(locks.Writer, locks.Handoffs), "an unfair lock hands nothing over")
			}
			if ops.Strategy == "mcs" {
				assert.Equal(t, uint64(1), snap.Count(locks.Writer, locks.Queued))
			}
		})
	})
}

func TestStatsCountReadersWaitingForAWriter(t *testing.T) {
	defer locks.TimeEveryWait()()
	withGOMAXPROCS(2, func() {
		for _, ops := range locks.All() {
			if !ops.RW || ops.Broken {
				continue
			}
			t.Run("lock="+ops.Name, func(t *testing.T) {
				s := locks.NewStats()
				l := locks.Instrument(ops.New(), s)
				snap := contended(t, l, s, locks.Writer, locks.Reader)
				assert.Zero(t, snap.Count(locks.Writer, locks.Contentions), "the writer was not kept waiting")
				if ops.Seq {
					assert.Equal(t, uint64(1), snap.Count(locks.Reader, locks.Retries))
					assert.Zero(t, snap.Count(locks.Reader, locks.Contentions), "a seqlock's reader takes no lock")
					return
				}
				assert.Equal(t, uint64(1), snap.Count(locks.Reader, locks.Contentions))
				assert.Equal(t, uint64(1), snap.Time(locks.Reader, locks.WaitTime).N)
			})
		}
	})
}

func TestStatsCountWritersDrainingReaders(t *testing.T) {
	for _, name := range []string{"percpu-rw", "bravo"} {
		t.Run("lock="+name, func(t *testing.T) {
			ops, err := locks.Lookup(name)
			require.NoError(t, err)
			s := locks.NewStats()
			l := locks.Instrument(ops.New(), s)
			snap := contended(t, l, s, locks.Reader, locks.Writer)
			assert.Equal(t, uint64(1), snap.Count(locks.Writer, locks.Drains), "the writer waited for the reader inside to leave")
		})
	}
}

func TestStatsUncontendedCountsNothing(t *testing.T) {
	forEachLock(t, func(t *testing.T, ops locks.Ops) {
		s := locks.NewStats()
		l := locks.Instrument(ops.New(), s)
		for range 1000 {
			l.Lock()
			//lint:ignore SA2001 uncontended acquisitions are what is counted
			l.Unlock()
		}
		snap := s.Snapshot()
		for _, e := range locks.Events() {
			if ops.Strategy == "bravo" && e == locks.Drains {
				// The first writer revokes the zero value's bias, and each
				// writer after the inhibition does it again.
				continue
			}
			assert.Zero(t, snap.Total(e), "%s without a second goroutine", e)
		}
	})
}

func TestStatsAcquireAndSampledHolds(t *testing.T) {
	s := locks.NewStats()
	const n = 10 * locks.HoldSampleEvery
	timed := 0
	for range n {
		timeHold := s.Acquire(locks.Writer)
		if timeHold {
			timed++
			s.Held(locks.Writer, locks.Nanotime())
		}
	}
	_ = s.Acquire(locks.Reader)
	snap := s.Snapshot()
	assert.Equal(t, uint64(n), snap.Count(locks.Writer, locks.Acquisitions))
	assert.Equal(t, uint64(1), snap.Count(locks.Reader, locks.Acquisitions))
	assert.Equal(t, uint64(n+1), snap.Total(locks.Acquisitions))
	hold := snap.Time(locks.Writer, locks.HoldTime)
	assert.Equal(t, uint64(timed), hold.N)
	// One in HoldSampleEvery per P: the goroutine may change P, so the
	// number timed is about n/HoldSampleEvery, and at most one more per P.
	assert.InDelta(t, n/locks.HoldSampleEvery, timed, float64(runtime.GOMAXPROCS(0)))

	s.Reset()
	snap = s.Snapshot()
	assert.Zero(t, snap.Total(locks.Acquisitions))
	assert.Zero(t, snap.Time(locks.Writer, locks.HoldTime).N)
}

func TestStatsNilCountsNothing(t *testing.T) {
	var s *locks.Stats
	assert.NotPanics(t, func() { s.Count(locks.Writer, locks.Spins, 1) })
}

func TestEventNames(t *testing.T) {
	seen := map[string]bool{}
	for _, e := range locks.Events() {
		name := e.String()
		assert.NotContains(t, name, "event(", "every event has a name")
		assert.False(t, seen[name], "duplicate event name %s", name)
		seen[name] = true
	}
}

// A recording caller gets the wait back uncounted and counts it itself,
// after the release.
func TestStatsRecordedWaitIsTheCallers(t *testing.T) {
	defer locks.TimeEveryWait()()
	for _, name := range []string{"ticket", "tas", "mcs", "qspin", "mutex", "qrwlock", "seqlock"} {
		t.Run("lock="+name, func(t *testing.T) {
			ops, err := locks.Lookup(name)
			require.NoError(t, err)
			s := locks.NewStats()
			l := locks.Instrument(ops.New(), s).(locks.RecordingLock)
			for range 5 {
				l.Lock()
				got := make(chan locks.WaitRecord)
				arrived := make(chan struct{})
				go func() {
					close(arrived)
					r := l.LockRecording()
					l.Unlock()
					got <- r
				}()
				<-arrived
				time.Sleep(20 * time.Millisecond)
				l.Unlock()
				r := <-got
				if !r.Waited() {
					continue // the waiter was not in line in time; try again
				}
				before := s.Snapshot()
				assert.Zero(t, before.Count(locks.Writer, locks.Contentions), "not counted by the lock")
				assert.Equal(t, uint64(1), before.Time(locks.Writer, locks.WaitTime).N, "the wait's time is recorded at the acquisition")
				s.AddWait(locks.Writer, r)
				after := s.Snapshot()
				assert.Equal(t, uint64(1), after.Count(locks.Writer, locks.Contentions))
				return
			}
			t.Fatal("no contention in five tries")
		})
	}
}

func TestStatsSayWhatTheyCannotSee(t *testing.T) {
	for name, unseen := range map[string][]locks.Event{
		"mutex":   {locks.Spins, locks.Yields, locks.Parks, locks.Wakeups, locks.Handoffs},
		"rwmutex": {locks.Spins, locks.Yields, locks.Parks, locks.Wakeups, locks.Handoffs},
		"bravo":   {locks.Yields, locks.Parks, locks.Wakeups, locks.Handoffs},
		"ticket":  nil,
	} {
		ops, err := locks.Lookup(name)
		require.NoError(t, err)
		s := locks.NewStats()
		locks.Instrument(ops.New(), s)
		snap := s.Snapshot()
		for _, e := range locks.Events() {
			assert.Equal(t, !slices.Contains(unseen, e), snap.Seen(e), "%s: %s", name, e)
		}
	}
}
