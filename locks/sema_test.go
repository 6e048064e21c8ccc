package locks

import (
	"testing"
	"time"
)

func TestSemaphoreCounts(t *testing.T) {
	var s uint32
	semrelease(&s, false, 0) // a release before the acquire is not lost
	semacquire(&s)

	done := make(chan struct{})
	go func() { semacquire(&s); close(done) }()
	select {
	case <-done:
		t.Fatal("semacquire returned without a release")
	case <-time.After(10 * time.Millisecond):
	}
	semrelease(&s, true, 0)
	<-done
}
