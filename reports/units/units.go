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
// A label, if any, names the unit on a chart's axis.
var Custom = []struct{ Unit, Better, Label string }{
	{"ops/s", Higher, "throughput (ops/s)"},
	{"writes/s", Higher, "write throughput under readers (writes/s)"},
	{"fairness", Higher, "fairness (Jain's index)"},
	{"max/min", Lower, ""},
	{"p50-ns", Lower, "p50 latency"},
	{"p99-ns", Lower, "p99 latency"},
	{"p999-ns", Lower, "p99.9 latency"},
	{sample.InterferenceUnit, Lower, ""},
	{sample.SpeedUnit, Higher, ""},
	// Lock statistics (lockbench run -stats): fewer events, shorter waits.
	{"contended", Lower, "contended acquisitions (fraction)"},
	{"spins/op", Lower, "spins per operation"},
	{"yields/op", Lower, "yields per operation"},
	{"parks/op", Lower, "parks per operation"},
	{"wakeups/op", Lower, "wake-ups per operation"},
	{"handoffs/op", Lower, "hand-offs per operation"},
	{"pending/op", Lower, "pending waits per operation"},
	{"queued/op", Lower, "queued waits per operation"},
	{"drains/op", Lower, "reader drains per operation"},
	{"retries/op", Lower, "read retries per operation"},
	{"wait-ns", Lower, "mean wait of a contended acquisition"},
	{"wait-p99-ns", Lower, "p99 wait of a contended acquisition"},
	{"hold-ns", Lower, "mean hold"},
	{"hold-p99-ns", Lower, "p99 hold"},
}

// better and label hold every known unit by its tidied name
// (benchunit.Tidy: "p99-ns" is "p99-sec", ns/op is sec/op), as reports
// sees it.
var better, label = func() (map[string]string, map[string]string) {
	b := map[string]string{"sec/op": Lower, "B/op": Lower, "allocs/op": Lower}
	l := map[string]string{"sec/op": "time per operation"}
	for _, u := range Custom {
		_, tidy := benchunit.Tidy(1, u.Unit)
		b[tidy] = u.Better
		if u.Label != "" {
			l[tidy] = u.Label
		}
	}
	return b, l
}()

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
