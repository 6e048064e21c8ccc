package bench

import (
	"math"

	"github.com/montanaflynn/stats"
)

// JainIndex returns Jain's fairness index of the counts,
// (Σx)² / (n·Σx²): 1 when every goroutine did the same amount of work, 1/n
// when one did all of it. No counts, or all zero, is perfectly fair (1).
func JainIndex(counts []uint64) float64 {
	var sum, sumSq float64
	for _, c := range counts {
		x := float64(c)
		sum += x
		sumSq += x * x
	}
	if sumSq == 0 {
		return 1
	}
	return sum * sum / (float64(len(counts)) * sumSq)
}

// MaxMinRatio returns the largest count over the smallest, locktorture's
// starvation hint ("???" when max/2 > min). A goroutine that did nothing
// counts as 1, so a starved goroutine gives the busiest one's count rather
// than infinity. No counts is 1.
func MaxMinRatio(counts []uint64) float64 {
	if len(counts) == 0 {
		return 1
	}
	lo, hi := uint64(math.MaxUint64), uint64(0)
	for _, c := range counts {
		lo = min(lo, c)
		hi = max(hi, c)
	}
	if hi == 0 {
		return 1
	}
	return float64(hi) / float64(max(lo, 1))
}

// Latency summarises sampled latencies of one operation, in nanoseconds.
type Latency struct {
	Samples        int
	P50, P99, P999 float64
}

// minLatencySamples is the fewest samples for which percentiles are
// reported; with fewer, p99.9 would only repeat the maximum.
const minLatencySamples = 100

// latencyOf computes the percentiles of samples (ns), with montanaflynn/stats'
// linear interpolation between closest ranks. With fewer than
// minLatencySamples samples only Samples is set.
func latencyOf(samples []float64) Latency {
	l := Latency{Samples: len(samples)}
	if len(samples) < minLatencySamples {
		return l
	}
	data := stats.Float64Data(samples)
	// Percentile fails only on empty input or a percent outside (0, 100].
	l.P50, _ = stats.Percentile(data, 50)
	l.P99, _ = stats.Percentile(data, 99)
	l.P999, _ = stats.Percentile(data, 99.9)
	return l
}
