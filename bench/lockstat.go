package bench

import "github.com/lockbench/lockbench/locks"

// The lock statistics' units (lockbench run -stats, BenchmarkCounter
// -stats): why a lock costs what it costs, beside what it costs. Counts are
// per operation of the load, both sides together; contended is the
// fraction of acquisitions that waited; the times are the sampled means
// and 99th percentiles (locks.Stats samples one contended wait in
// locks.WaitSampleEvery and one hold in locks.HoldSampleEvery per P).
//
// A seqlock's readers take no lock: under a read mix its acquisitions are
// its writes, and its readers' encounters with writers are retries/op.

// lockStatUnits are the per-operation event units, in the order reported.
var lockStatUnits = []struct {
	event locks.Event
	unit  string
}{
	{locks.Spins, "spins/op"},
	{locks.Yields, "yields/op"},
	{locks.Parks, "parks/op"},
	{locks.Wakeups, "wakeups/op"},
	{locks.Handoffs, "handoffs/op"},
	{locks.Pending, "pending/op"},
	{locks.Queued, "queued/op"},
	{locks.Drains, "drains/op"},
	{locks.Retries, "retries/op"},
}

// LockStatUnitNames lists every unit lockStatMetrics may report, for the
// unit table (package reports/units) to check against.
func LockStatUnitNames() []string {
	out := []string{"contended"}
	for _, u := range lockStatUnits {
		out = append(out, u.unit)
	}
	return append(out, "wait-ns", "wait-p99-ns", "hold-ns", "hold-p99-ns")
}

// lockStatMetrics returns the lock statistics' units; none without
// statistics.
func (r *Result) lockStatMetrics() []metric {
	s := r.LockStats
	if s == nil {
		return nil
	}
	ops := float64(max(r.Ops, 1))
	var ms []metric
	if acq := s.Total(locks.Acquisitions); acq > 0 {
		ms = append(ms, metric{float64(s.Total(locks.Contentions)) / float64(acq), "contended"})
	}
	for _, u := range lockStatUnits {
		if s.Seen(u.event) { // a zero that means "not measured" is left out
			ms = append(ms, metric{float64(s.Total(u.event)) / ops, u.unit})
		}
	}
	for _, t := range []struct {
		timing     locks.Timing
		mean, tail string
	}{
		{locks.WaitTime, "wait-ns", "wait-p99-ns"},
		{locks.HoldTime, "hold-ns", "hold-p99-ns"},
	} {
		var both locks.TimeStats
		both.Add(s.Time(locks.Writer, t.timing))
		both.Add(s.Time(locks.Reader, t.timing))
		if both.N > 0 {
			ms = append(ms, metric{both.Mean(), t.mean}, metric{both.Quantile(0.99), t.tail})
		}
	}
	return ms
}
