package locks

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

// TestStateOf: what a stalled torture run prints for the lock a writer
// waits on.
func TestStateOf(t *testing.T) {
	var tk Ticket
	assert.Equal(t, "owner=0 next=0: unlocked", StateOf(&tk))
	tk.Lock()
	assert.Equal(t, "owner=0 next=1: held", StateOf(&tk))
	tk.word.Add(2 << 32) // two arrivals queued behind the holder
	assert.Equal(t, "owner=0 next=3: held, 2 waiting", StateOf(&tk))

	var tas TAS
	assert.Equal(t, "unlocked", StateOf(&tas))
	tas.Lock()
	assert.Equal(t, "held", StateOf(&tas))
	tas.Unlock()

	var ttas TTAS
	ttas.Lock()
	assert.Equal(t, "held", StateOf(&ttas))
	ttas.Unlock()

	var mcs MCS
	assert.Equal(t, "unlocked", StateOf(&mcs))
	mcs.Lock()
	assert.Equal(t, "held, no queue", StateOf(&mcs))
	mcs.Unlock()

	var q QSpin
	q.Lock()
	assert.Equal(t, "(tail=0, pending=0, locked=1)", StateOf(&q))
	q.Unlock()

	var rw QRWLock
	rw.RLock()
	assert.Equal(t, "(readers=1, waiting=0, locked=0), queue owner=0 next=0: unlocked", StateOf(&rw))
	rw.RUnlock()
	rw.Lock()
	assert.Equal(t, "(readers=0, waiting=0, locked=1), queue owner=0 next=0: unlocked", StateOf(&rw))
	rw.Unlock()

	var sq Seqlock
	sq.Lock()
	assert.Equal(t, "seq=1 (a writer in), writers owner=0 next=1: held", StateOf(&sq))
	sq.Unlock()
	assert.Equal(t, "seq=2 (no writer), writers owner=1 next=1: unlocked", StateOf(&sq))

	assert.Empty(t, StateOf(new(Mutex)), "a lock that does not describe itself")
}
