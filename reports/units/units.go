// Package units is the one table of the units lockbench's results carry and
// which way each is better. Package bench writes its "Unit ... better="
// lines from it, and package reports reads it for files that have none (go
// test -bench output): one owner, so that the two cannot disagree.
//
// It imports only x/perf's benchunit, so that bench can use it without
// taking in the reports' charts.
package units

import (
	"golang.org/x/perf/benchunit"

	"github.com/lockbench/lockbench/internal/sample"
)

// Better directions, as benchfmt's "better=" key spells them.
const (
	Higher = "higher"
	Lower  = "lower"
)

// Custom are the units lockbench adds to the standard ns/op, B/op and
// allocs/op, as a results file spells them, in the order bench reports
// them, with the direction that is better.
// A label, if any, names the unit on a chart's axis. Why marks the lock
// statistics (lockbench run -stats): they explain a lock's cost and are
// never used to rank locks.
var Custom = []struct {
	Unit, Better, Label string
	Why                 bool
}{
	{"ops/s", Higher, "throughput (ops/s)", false},
	{"writes/s", Higher, "write throughput under readers (writes/s)", false},
	{"fairness", Higher, "fairness (Jain's index)", false},
	{"max/min", Lower, "", false},
	{"p50-ns", Lower, "p50 latency", false},
	{"p99-ns", Lower, "p99 latency", false},
	{"p999-ns", Lower, "p99.9 latency", false},
	{sample.InterferenceUnit, Lower, "", false},
	{sample.SpeedUnit, Higher, "", false},
	// Lock statistics (lockbench run -stats): fewer events, shorter waits.
	{"contended", Lower, "contended acquisitions (fraction)", true},
	{"spins/op", Lower, "spins per operation", true},
	{"yields/op", Lower, "yields per operation", true},
	{"parks/op", Lower, "parks per operation", true},
	{"wakeups/op", Lower, "wake-ups per operation", true},
	{"handoffs/op", Lower, "hand-offs per operation", true},
	{"pending/op", Lower, "pending waits per operation", true},
	{"queued/op", Lower, "queued waits per operation", true},
	{"drains/op", Lower, "reader drains per operation", true},
	{"retries/op", Lower, "read retries per operation", true},
	{"wait-ns", Lower, "mean wait of a contended acquisition", true},
	{"wait-p99-ns", Lower, "p99 wait of a contended acquisition", true},
	{"hold-ns", Lower, "mean hold", true},
	{"hold-p99-ns", Lower, "p99 hold", true},
}

// better and label hold every known unit by its tidied name
// (benchunit.Tidy: "p99-ns" is "p99-sec", ns/op is sec/op), as reports
// sees it.
var better, label, why = func() (map[string]string, map[string]string, map[string]bool) {
	b := map[string]string{"sec/op": Lower, "B/op": Lower, "allocs/op": Lower}
	l := map[string]string{"sec/op": "time per operation"}
	w := map[string]bool{}
	for _, u := range Custom {
		_, tidy := benchunit.Tidy(1, u.Unit)
		b[tidy] = u.Better
		if u.Label != "" {
			l[tidy] = u.Label
		}
		if u.Why {
			w[tidy] = true
		}
	}
	return b, l, w
}()

// Why reports a lock statistic's unit (see Custom), written as in a file
// or tidied.
func Why(unit string) bool {
	if why[unit] {
		return true
	}
	_, tidy := benchunit.Tidy(1, unit)
	return why[tidy]
}

// Label names a tidied unit on a chart's axis: "p99 latency" for p99-sec,
// the unit itself for one without a label.
func Label(unit string) string {
	if l, ok := label[unit]; ok {
		return l
	}
	return unit
}

// Better returns which way unit is better, Higher or Lower, for a unit
// lockbench knows, written as in a file ("p99-ns") or tidied ("p99-sec");
// "" for others.
func Better(unit string) string {
	if b, ok := better[unit]; ok {
		return b
	}
	_, tidy := benchunit.Tidy(1, unit)
	return better[tidy]
}
