package bench

import (
	"math"

	"github.com/montanaflynn/stats"
)

// JainIndex returns Jain's fairness index of xs, (Σx)² / (n·Σx²): 1 when
// every goroutine did the same amount of work, 1/n when one did all of it.
// No values, or all zero, is perfectly fair (1).
func JainIndex[T uint64 | float64](xs []T) float64 {
	var sum, sumSq float64
	for _, c := range xs {
		x := float64(c)
		sum += x
		sumSq += x * x
	}
	if sumSq == 0 {
		return 1
	}
	return sum * sum / (float64(len(xs)) * sumSq)
}

// MaxMinRatio returns the largest value over the smallest, locktorture's
// starvation hint ("???" when max/2 > min). Values below 1 count as 1, so
// that a count of 0 (a goroutine that did nothing) gives the largest value
// rather than infinity. No values is 1.
func MaxMinRatio[T uint64 | float64](xs []T) float64 {
	if len(xs) == 0 {
		return 1
	}
	lo, hi := math.Inf(1), 0.0
	for _, c := range xs {
		lo = min(lo, float64(c))
		hi = max(hi, float64(c))
	}
	if hi == 0 {
		return 1
	}
	return hi / max(lo, 1)
}

// ServiceRates returns, for each goroutine's median operation latency, the
// rate at which the guard serves it: 1/latency.
//
// Why not the goroutines' operation counts: with more goroutines than CPUs,
// a goroutine that never blocks keeps its P for the scheduler's 10 ms time
// slice, so over a trial of a few hundred milliseconds some of 64
// goroutines run many slices and some none, whatever the guard: the counts'
// Jain index reads 0.3 for a bare atomic add, which has no lock to be
// unfair. A goroutine's latency samples are each one operation, timed while
// it runs: a time slice spent waiting for a CPU lands in one sample in
// thousands, which the median ignores, while a lock that makes some
// goroutines wait longer than others moves their medians. A goroutine with
// fewer than minServedSamples samples is not counted, because it cannot be
// told apart from one the scheduler never ran: a goroutine starved for the
// whole trial leaves no trace in fairness or max/min, only in the p999
// latency and in the torture's per-writer counts (lockbench torture), which
// is where to look for complete starvation.
func ServiceRates(medians []float64) []float64 {
	rates := make([]float64, len(medians))
	for i, m := range medians {
		rates[i] = 1 / max(m, 1)
	}
	return rates
}

// minServedSamples is the fewest latency samples a goroutine needs for its
// median to count in Fairness: a goroutine that ran for a moment at the end
// of a trial says nothing of how the guard serves it.
const minServedSamples = 5

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
