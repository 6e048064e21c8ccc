package reports

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/lockbench/lockbench/internal/golden"
)

// defaultRun is a trimmed results file of `lockbench run` with its defaults
// on a 2-CPU machine: every lock and baseline, g=1,2,16, noisy enough to
// have unconverged and bimodal cells.
func defaultRun(t *testing.T) *Report {
	t.Helper()
	opts := ForLocks()
	opts.Baselines = []string{"atomic", "sharded", "xsync"}
	rep, err := Build([]string{"testdata/default-run.txt"}, opts)
	require.NoError(t, err)
	return rep
}

// TestDefaultRunFitsATerminal: the first run's stdout was 389 characters
// wide. The table format, as lockbench run prints it (sec/op only), keeps
// within 120 columns and ends with the winner map.
func TestDefaultRunFitsATerminal(t *testing.T) {
	var b bytes.Buffer
	require.NoError(t, defaultRun(t).Only("sec/op").Write(&b, "table"))
	golden.Check(t, "default-run.table.golden", b.Bytes())
	lines := strings.Split(strings.TrimRight(b.String(), "\n"), "\n")
	for i, l := range lines {
		assert.LessOrEqual(t, utf8.RuneCountInString(l), LineWidth, "line %d: %q", i+1, l)
	}
	at := strings.LastIndex(b.String(), "best lock by sec/op")
	require.Positive(t, at, "the winner map")
	last := b.String()[at:]
	assert.Contains(t, last, "mix:inc cs:0 path:proc", "ends with the winner map")
	assert.NotContains(t, last, "time per operation", "nothing after the winner map but the map")
}

// TestEveryUnitFitsATerminal: all units of the default run, as lockbench
// report -format table prints them, within 120 columns too.
func TestEveryUnitFitsATerminal(t *testing.T) {
	var b bytes.Buffer
	require.NoError(t, defaultRun(t).Write(&b, "table"))
	for i, l := range strings.Split(b.String(), "\n") {
		assert.LessOrEqual(t, utf8.RuneCountInString(l), LineWidth, "line %d: %q", i+1, l)
	}
}

func TestWinnerMapOfTheDefaultRun(t *testing.T) {
	m := defaultRun(t).Winners()
	require.NotNil(t, m)
	assert.Equal(t, []string{"1", "2", "16"}, m.Columns, "goroutine counts in numeric order")
	require.Len(t, m.Rows, 1)
	assert.Equal(t, "mix:inc cs:0 path:proc", m.Rows[0].Workload)
	for _, w := range m.Rows[0].Cells {
		require.NotNil(t, w)
		for _, lock := range w.Locks {
			assert.NotContains(t, []string{"atomic", "sharded", "xsync"}, lock, "baselines are never best")
		}
	}
	var b strings.Builder
	m.WriteText(&b, 0.05)
	golden.Check(t, "default-run.winners.golden", []byte(b.String()))
}

// TestWinnerMapMarksTiesAndDoubts builds a map from a made-up file: two
// workloads, a clear winner, a tie, and winners whose figures are
// disturbed, not converged or bimodal.
func TestWinnerMapMarksTiesAndDoubts(t *testing.T) {
	var f strings.Builder
	f.WriteString("precision: 0.05\nmax-interference: 0.1\n")
	line := func(lock string, g int, mix string, ns, interference float64) {
		fmt.Fprintf(&f, "BenchmarkCounter/lock=%s/g=%d/mix=%s/cs=0/path=direct-2 1000000 %g ns/op %g interference 1 speed\n",
			lock, g, mix, ns, interference)
	}
	for i := range 8 {
		d := float64(i%4) * 0.1 // a spread of 0.3 ns around each value
		// inc, g=1: ticket wins clearly; g=2: ticket and mcs tie.
		line("ticket", 1, "inc", 10+d, 0.01)
		line("mcs", 1, "inc", 20+d, 0.01)
		line("atomic", 1, "inc", 5+d, 0.01) // a baseline: faster, never best
		line("ticket", 2, "inc", 30+d, 0.01)
		line("mcs", 2, "inc", 30+d, 0.01)
		// incdec, g=1: the winner disturbed; g=2: the winner wide, then bimodal.
		interference := 0.01
		if i == 0 {
			interference = 0.5
		}
		line("ticket", 1, "incdec", 10+d, interference)
		line("mcs", 1, "incdec", 40+d, 0.01)
		wide := []float64{10, 14, 9, 16, 8, 12, 15, 11}[i]
		line("ticket", 2, "incdec", wide, 0.01)
		line("mcs", 2, "incdec", 60+d, 0.01)
		bimodal := 10 + d
		if i%2 == 1 {
			bimodal = 40 + d
		}
		line("ticket", 4, "incdec", bimodal, 0.01)
		line("mcs", 4, "incdec", 90+d, 0.01)
	}
	path := filepath.Join(t.TempDir(), "results.txt")
	require.NoError(t, os.WriteFile(path, []byte(f.String()), 0o644))
	opts := ForLocks()
	opts.Baselines = []string{"atomic"}
	rep, err := Build([]string{path}, opts)
	require.NoError(t, err)

	m := rep.Winners()
	require.NotNil(t, m)
	assert.Equal(t, []string{"1", "2", "4"}, m.Columns)
	require.Len(t, m.Rows, 2)
	inc, incdec := m.Rows[0], m.Rows[1]
	assert.Equal(t, "mix:inc cs:0 path:direct", inc.Workload)
	assert.Equal(t, []string{"ticket"}, inc.Cells[0].Locks, "atomic is faster but a baseline")
	assert.False(t, inc.Cells[0].Tie())
	assert.ElementsMatch(t, []string{"ticket", "mcs"}, inc.Cells[1].Locks)
	assert.True(t, inc.Cells[1].Tie())
	assert.Nil(t, inc.Cells[2], "inc was not run at g=4")

	assert.True(t, incdec.Cells[0].Disturbed)
	assert.Equal(t, "!", incdec.Cells[0].Marks())
	assert.True(t, incdec.Cells[1].Unconverged, "±%v", rep.Tables[1].Cells[1][0].Range)
	assert.True(t, incdec.Cells[2].Bimodal)
	assert.Contains(t, incdec.Cells[2].Marks(), "‖")

	var b strings.Builder
	m.WriteText(&b, rep.Precision)
	text := b.String()
	assert.Contains(t, text, "ticket ≈ mcs")
	assert.Contains(t, text, "ticket!")
	assert.Contains(t, text, "Marks, on the winners' figures: ! disturbed trials, ? not converged")
}

func TestWrap(t *testing.T) {
	assert.Equal(t, "short", wrap("short", 10, "  "))
	assert.Equal(t, "one two\n  three\n  four", wrap("one two three four", 8, "  "))
	assert.Equal(t, "  lead two\n    three", wrap("  lead two three", 10, "    "))
}
