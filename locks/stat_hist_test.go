package locks

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestHistogramBucketsHoldTheirValues(t *testing.T) {
	prev := -1
	for _, ns := range []uint64{0, 1, 15, 16, 17, 31, 32, 100, 1000, 12345, 1 << 30, 1<<40 - 1} {
		i := bucketOf(ns)
		assert.GreaterOrEqual(t, i, prev, "buckets grow with the value")
		prev = i
		lo, hi := bucketBounds(i)
		assert.LessOrEqual(t, lo, float64(ns), "%d ns in bucket %d [%v, %v)", ns, i, lo, hi)
		assert.Less(t, float64(ns), hi, "%d ns in bucket %d [%v, %v)", ns, i, lo, hi)
		if ns >= histLinear {
			assert.LessOrEqual(t, (hi-lo)/lo, 1.0/8, "within 12.5%%")
		}
	}
	assert.Equal(t, histBuckets-1, bucketOf(1<<62), "everything longer goes to the last bucket")
}

func TestTimeStatsQuantiles(t *testing.T) {
	var d timeDist
	for ns := uint64(1); ns <= 1000; ns++ {
		d.add(ns*100, true) // 100 ns .. 100 µs, uniform
	}
	var ts TimeStats
	ts.merge(&d)
	assert.Equal(t, uint64(1000), ts.N)
	assert.Equal(t, uint64(100), ts.Min)
	assert.Equal(t, uint64(100000), ts.Max)
	assert.InDelta(t, 50050, ts.Mean(), 0.5)
	assert.InEpsilon(t, 99000, ts.Quantile(0.99), 0.07, "p99 within the bucket's width")
	assert.InEpsilon(t, 50000, ts.Quantile(0.5), 0.07)

	var shared timeDist // the atomic path gives the same summary
	for ns := uint64(1); ns <= 1000; ns++ {
		shared.add(ns*100, false)
	}
	var ts2 TimeStats
	ts2.merge(&shared)
	assert.Equal(t, ts, ts2)
}

func TestWaitRecordPacksAndSaturates(t *testing.T) {
	r := packWait(Contentions, Queued, true, 1000, 20, 3)
	assert.True(t, r.handoff())
	assert.True(t, r.Waited())
	assert.Equal(t, Contentions, r.event())
	assert.Equal(t, Queued, r.extra())
	assert.Equal(t, uint64(1000), r.spins())
	assert.Equal(t, uint64(20), r.yields())
	assert.Equal(t, uint64(3), r.parks())

	r = packWait(Retries, 0, false, 1<<31, 1<<20, 1<<12)
	assert.False(t, r.handoff())
	assert.Equal(t, Retries, r.event())
	assert.Equal(t, Event(0), r.extra())
	assert.Equal(t, uint64(recSpinsMax), r.spins(), "saturates")
	assert.Equal(t, uint64(recYieldsMax), r.yields(), "saturates")
	assert.Equal(t, uint64(recParksMax), r.parks(), "saturates")

	assert.False(t, WaitRecord(0).Waited())
	assert.Less(t, int(numEvents), 16, "an event fits in 4 bits")
}
