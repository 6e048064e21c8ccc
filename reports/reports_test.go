package reports

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/lockbench/lockbench/internal/golden"
)

func TestGoldenFormats(t *testing.T) {
	opts := ForLocks()
	opts.Baselines = []string{"atomic", "sharded"}
	locks, err := Build([]string{"testdata/locks.txt"}, opts)
	require.NoError(t, err)
	files, err := Build([]string{"testdata/old.txt", "testdata/new.txt"}, ForFiles())
	require.NoError(t, err)
	for _, format := range Formats {
		for name, rep := range map[string]*Report{"locks": locks, "files": files} {
			var b bytes.Buffer
			require.NoError(t, rep.Write(&b, format))
			golden.Check(t, name+"."+format+".golden", b.Bytes())
		}
	}
}

// TestSameNumbersAsBenchstat checks cells against what benchstat v0.0.0-
// 20260908200009 printed for the same files and projections:
//
//	benchstat -table '.config .name /mix /cs /path /think' -row /g -col /lock testdata/locks.txt
//	benchstat testdata/old.txt testdata/new.txt
func TestSameNumbersAsBenchstat(t *testing.T) {
	rep, err := Build([]string{"testdata/locks.txt"}, ForLocks())
	require.NoError(t, err)
	tab := findTable(t, rep, "mix:incdec", "sec/op")
	assert.Equal(t, []string{"mcs", "mutex", "rwmutex", "tas", "ticket", "ttas", "atomic", "sharded"}, tab.Cols)
	assert.Equal(t, []string{"1", "2"}, tab.Rows)

	mcs1 := tab.Cells[0][0]
	assert.Equal(t, "40.17ns", mcs1.Value)
	assert.Equal(t, "± ∞", mcs1.Range)
	assert.Equal(t, "", mcs1.Delta, "the baseline has no delta")

	ttas1 := tab.Cells[0][5]
	assert.Equal(t, "18.86ns", ttas1.Value)
	assert.Equal(t, "-53.05%", ttas1.Delta)
	assert.Equal(t, "p=0.008 n=5", ttas1.Test)
	assert.True(t, ttas1.Significant)

	tas2 := tab.Cells[1][3]
	assert.Equal(t, "146.200ns", tas2.Value)
	assert.Equal(t, "~", tas2.Delta)
	assert.Equal(t, "p=0.690 n=5", tas2.Test)
	assert.False(t, tas2.Significant)

	sharded2 := tab.Cells[1][7]
	assert.Equal(t, "9.632ns", sharded2.Value)
	assert.Equal(t, "-96.31%", sharded2.Delta)

	require.Len(t, tab.Geomean, 8)
	assert.Equal(t, "102.4ns", tab.Geomean[0].Value)
	assert.Equal(t, "68.97ns", tab.Geomean[4].Value)
	assert.Equal(t, "-32.63%", tab.Geomean[4].Delta)
	assert.Equal(t, "-87.07%", tab.Geomean[7].Delta)
	assert.Equal(t, []string{"need >= 6 samples for confidence interval at level 0.95"}, tab.Notes)
	assert.Equal(t, []string{"atomic", "sharded"}, tab.Best)

	files, err := Build([]string{"testdata/old.txt", "testdata/new.txt"}, ForFiles())
	require.NoError(t, err)
	sec := findTable(t, files, "", "sec/op")
	assert.Equal(t, "Counter/lock=atomic/g=1/mix=inc/cs=0/path=proc-2", sec.Rows[1])
	assert.Equal(t, "15.76ns", sec.Cells[1][0].Value)
	assert.Equal(t, "16.34ns", sec.Cells[1][1].Value)
	assert.Equal(t, "~", sec.Cells[1][1].Delta)
	assert.Equal(t, "p=0.548 n=5", sec.Cells[1][1].Test)
	assert.Equal(t, "3.993ns", sec.Geomean[0].Value)
	assert.Equal(t, "+0.29%", sec.Geomean[1].Delta)
	p999 := findTable(t, files, "", "p999-ns")
	assert.Equal(t, "-34.26%", p999.Geomean[1].Delta)
	assert.Nil(t, sec.Best, "file comparisons have no best column")
}

func findTable(t *testing.T, rep *Report, title, unit string) *Table {
	t.Helper()
	for _, tab := range rep.Tables {
		if tab.Title == title && tab.Unit == unit {
			return tab
		}
	}
	require.Failf(t, "no table", "title %q unit %q", title, unit)
	return nil
}

func TestMalformedLinesAreWarnings(t *testing.T) {
	rep, err := Build([]string{"testdata/malformed.txt"}, ForFiles())
	require.NoError(t, err)
	assert.Equal(t, []string{"testdata/malformed.txt:1: parsing measurement: invalid syntax"}, rep.Warnings)
	require.Len(t, rep.Tables, 1, "the well-formed line is still reported")
	assert.Equal(t, "5.000ns", rep.Tables[0].Cells[0][0].Value)

	var b bytes.Buffer
	require.NoError(t, rep.Write(&b, "text"))
	assert.Contains(t, b.String(), "warning: testdata/malformed.txt:1: parsing measurement: invalid syntax")
}

// TestLongLineIsSkippedWithItsLineNumber is issue 11's defect 6: a 20 MB
// line stopped the report with "token too long" at line 1. It is skipped
// with a warning naming its real line, and the lines after it count.
func TestLongLineIsSkippedWithItsLineNumber(t *testing.T) {
	const result = "BenchmarkCounter/lock=mutex/g=1/mix=inc/cs=0/path=direct-2 100 %d ns/op\n"
	var b strings.Builder
	fmt.Fprintf(&b, result, 10)
	b.WriteString("BenchmarkX " + strings.Repeat("a", 20_000_000) + "\n")
	fmt.Fprintf(&b, result, 12)
	b.WriteString("BenchmarkBad 1 x ns/op\n")
	fmt.Fprintf(&b, result, 14)
	path := filepath.Join(t.TempDir(), "long.txt")
	require.NoError(t, os.WriteFile(path, []byte(b.String()), 0o644))

	rep, err := Build([]string{path}, ForFiles())
	require.NoError(t, err)
	assert.Equal(t, []string{
		path + ":2: a line of 20 MB skipped: longer than 64 KiB",
		path + ":4: parsing measurement: invalid syntax",
	}, rep.Warnings)
	require.Len(t, rep.Tables, 1)
	assert.Equal(t, "12.00ns", rep.Tables[0].Cells[0][0].Value, "the median of all three results")
}

// TestRepeatedAndLabelledFiles: the same file twice is two columns,
// path#0 and path#1, and label=path names a column, as with benchstat.
func TestRepeatedAndLabelledFiles(t *testing.T) {
	rep, err := Build([]string{"testdata/old.txt", "testdata/old.txt", "new=testdata/new.txt"}, ForFiles())
	require.NoError(t, err)
	require.NotEmpty(t, rep.Tables)
	assert.Equal(t, []string{"testdata/old.txt#0", "testdata/old.txt#1", "new"}, rep.Tables[0].Cols)
}

func TestBuildErrors(t *testing.T) {
	_, err := Build([]string{"testdata/no-such-file.txt"}, ForFiles())
	assert.ErrorContains(t, err, "no-such-file.txt")
	_, err = Build([]string{"testdata/locks.txt"}, Options{Row: "/g@("})
	assert.ErrorContains(t, err, "row projection")
	_, err = Build([]string{"testdata/locks.txt"}, Options{Filter: "lock:("})
	assert.ErrorContains(t, err, "filter")
	rep, err := Build([]string{"testdata/locks.txt"}, ForLocks())
	require.NoError(t, err)
	assert.EqualError(t, rep.Write(&bytes.Buffer{}, "yaml"), `reports: unknown format "yaml" (valid: table, benchstat, md, csv, json)`)
}

func TestFilterAndFixedOrder(t *testing.T) {
	opts := ForLocks()
	opts.Filter = ".unit:sec/op /mix:inc"
	opts.Col = "/lock@(mutex ticket)"
	rep, err := Build([]string{"testdata/locks.txt"}, opts)
	require.NoError(t, err)
	require.Len(t, rep.Tables, 1)
	assert.Equal(t, []string{"mutex", "ticket"}, rep.Tables[0].Cols, "mutex is the baseline")
	// As benchstat -filter '.unit:sec/op /mix:inc' -col '/lock@(mutex ticket)' prints:
	assert.Equal(t, "~", rep.Tables[0].Cells[0][1].Delta)
	assert.Equal(t, "p=0.095 n=5", rep.Tables[0].Cells[0][1].Test)
	assert.Equal(t, "+233.64%", rep.Tables[0].Cells[1][1].Delta)
	assert.Equal(t, "+80.07%", rep.Tables[0].Geomean[1].Delta)
}

// TestWhy reads a recorded lockbench run -stats (5 locks, g=1,2,16,
// direct path, 3 trials each): one section per workload, a sentence per
// lock at its most goroutines, and no lock ranked by its statistics.
func TestWhy(t *testing.T) {
	rep, err := Build([]string{"testdata/stats.txt"}, ForLocks())
	require.NoError(t, err)
	why := rep.Why()
	require.Len(t, why, 1, "one workload")
	w := why[0]
	assert.Equal(t, []string{"1", "2", "16"}, w.Goroutines)
	require.Len(t, w.Sentences, len(w.Locks))
	for i, lock := range w.Locks {
		assert.True(t, strings.HasPrefix(w.Sentences[i], lock+" at g=16 ("), w.Sentences[i])
		assert.True(t, strings.HasPrefix(w.Cells[i][0], "0% waited"), "nobody waits with one goroutine: %s", w.Cells[i][0])
	}
	for _, tb := range rep.Tables {
		if isWhyUnit(tb.Unit) {
			assert.Nil(t, tb.Best, "%s ranks no lock", tb.Unit)
		}
	}

	var b bytes.Buffer
	require.NoError(t, rep.WriteHTML(&b, "t", nil))
	assert.Contains(t, b.String(), "Why: lock statistics")

	plain, err := Build([]string{"testdata/locks.txt"}, ForLocks())
	require.NoError(t, err)
	assert.Empty(t, plain.Why(), "no statistics, no section")
}

func TestWhyReasons(t *testing.T) {
	for _, tc := range []struct {
		figures map[string]float64
		want    string
	}{
		{map[string]float64{"contended": 0.001}, "almost never contended"},
		{map[string]float64{"contended": 0.5, "parks/op": 0.4, "handoffs/op": 0.4}, "handed to a waiter that sleeps"},
		{map[string]float64{"contended": 0.5, "parks/op": 0.4}, "its waiters sleep"},
		{map[string]float64{"contended": 0.5, "yields/op": 0.9, "handoffs/op": 0.5}, "the next owner gives its CPU away"},
		{map[string]float64{"contended": 0.5, "yields/op": 0.9}, "give their CPU away"},
		{map[string]float64{"contended": 0.5, "spins/op": 30}, "spin on the lock word"},
		{map[string]float64{"contended": 0.5, "spins/op": 1}, "its waits are short"},
		{map[string]float64{"contended": 0.07, "wait-ns": 959}, "hundreds of nanoseconds"},
		{map[string]float64{"contended": 0.08, "wait-ns": 18800}, "its waits last microseconds"},
		{map[string]float64{"contended": 0, "retries/op": 0.2}, "read again when a writer overlapped"},
	} {
		assert.Contains(t, reason(tc.figures), tc.want, "%v", tc.figures)
	}
	assert.Equal(t, "qspin:park at g=64 (500ns per operation): 90% of acquisitions waited, 1.2µs each on average; per operation 0.9 yields, 0.9 hand-offs: the next owner gives its CPU away while it waits, so a hand-off waits for the scheduler to run it again.",
		whySentence("qspin:park", "64", map[string]float64{"sec/op": 500e-9, "contended": 0.9, "wait-ns": 1200, "yields/op": 0.9, "handoffs/op": 0.9}))
}

// A unit constant in one workload's table and not in another's is not
// named left out (the review of issue 14 found "retries/op = 0" beside a
// retries/op table).
func TestOmittedOnlyWhereEveryTableIs(t *testing.T) {
	var b strings.Builder
	for i := range 4 {
		for _, lock := range []string{"mutex", "seqlock"} {
			retries := 0.0
			if lock == "seqlock" {
				retries = 0.05 + 0.01*float64(i)
			}
			fmt.Fprintf(&b, "BenchmarkCounter/lock=%s/g=2/mix=inc/cs=0/path=direct-2 1000 %d ns/op 0 retries/op 0 drains/op\n", lock, 10+i)
			fmt.Fprintf(&b, "BenchmarkCounter/lock=%s/g=2/mix=read90/cs=0/path=direct-2 1000 %d ns/op %g retries/op 0 drains/op\n", lock, 20+i, retries)
		}
	}
	path := filepath.Join(t.TempDir(), "r.txt")
	require.NoError(t, os.WriteFile(path, []byte(b.String()), 0o644))
	rep, err := Build([]string{path}, ForLocks())
	require.NoError(t, err)
	assert.Equal(t, []string{"drains/op = 0"}, rep.Omitted)
}

func TestWhyInJSON(t *testing.T) {
	rep, err := Build([]string{"testdata/stats.txt"}, ForLocks())
	require.NoError(t, err)
	var b bytes.Buffer
	require.NoError(t, rep.Write(&b, "json"))
	assert.Contains(t, b.String(), `"why": [`)
	assert.Contains(t, b.String(), `"sentences": [`)
}
