package reports

import (
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// cell returns the cell of table t at row and column labels.
func cell(t *testing.T, tab *Table, row, col string) *Cell {
	t.Helper()
	i, j := -1, -1
	for k, r := range tab.Rows {
		if r == row {
			i = k
		}
	}
	for k, c := range tab.Cols {
		if c == col {
			j = k
		}
	}
	require.True(t, i >= 0 && j >= 0, "no cell %s/%s", row, col)
	require.NotNil(t, tab.Cells[i][j])
	return tab.Cells[i][j]
}

// judged.txt: at g=2, ticket is the fastest lock, atomic (a baseline) is
// faster still, tas falls into two clusters, mcs is wide and two of its
// trials were disturbed by other work, and one of mutex's by a fast spell
// of the machine; every trial allocated nothing.
func judged(t *testing.T, baselines ...string) *Report {
	t.Helper()
	opts := ForLocks()
	opts.Baselines = baselines
	rep, err := Build([]string{"testdata/judged.txt"}, opts)
	require.NoError(t, err)
	return rep
}

func TestBestIgnoresBaselines(t *testing.T) {
	rep := judged(t, "atomic", "sharded", "xsync")
	sec := findTable(t, rep, "", "sec/op")
	assert.Equal(t, []string{"ticket"}, sec.Best, "atomic is shown but is not a lock")
	assert.NotNil(t, cell(t, sec, "2", "atomic"), "the baseline is still shown")

	rep = judged(t)
	assert.Equal(t, []string{"atomic"}, findTable(t, rep, "", "sec/op").Best, "without baselines, the fastest column")
}

func TestBestNeedsAnEffectAsLargeAsThePrecision(t *testing.T) {
	// mutex is 2% slower than ticket in every trial: significant, but
	// within the file's ±5% precision, so a tie.
	dir := t.TempDir()
	var b strings.Builder
	b.WriteString("precision: 0.05\n")
	for i := range 10 {
		x := 10 + 0.01*float64(i)
		b.WriteString("BenchmarkCounter/lock=ticket/g=2/mix=inc/cs=0/path=direct-2 1 " + ftoa(x) + " ns/op\n")
		b.WriteString("BenchmarkCounter/lock=mutex/g=2/mix=inc/cs=0/path=direct-2 1 " + ftoa(1.02*x) + " ns/op\n")
		b.WriteString("BenchmarkCounter/lock=tas/g=2/mix=inc/cs=0/path=direct-2 1 " + ftoa(1.5*x) + " ns/op\n")
	}
	p := filepath.Join(dir, "r.txt")
	require.NoError(t, os.WriteFile(p, []byte(b.String()), 0o644))
	rep, err := Build([]string{p}, ForLocks())
	require.NoError(t, err)
	sec := findTable(t, rep, "", "sec/op")
	assert.Equal(t, []string{"ticket ≈ mutex"}, sec.Best)
	assert.True(t, cell(t, sec, "2", "mutex").Significant, "the 2% is significant")
}

func TestConstantUnitsAreLeftOut(t *testing.T) {
	rep := judged(t)
	assert.Equal(t, []string{"B/op = 0", "allocs/op = 0"}, rep.Omitted)
	for _, tab := range rep.Tables {
		assert.NotContains(t, []string{"B/op", "allocs/op"}, tab.Unit)
	}
	assert.Nil(t, findTable(t, rep, "", "interference").Best, "interference judges trials, it ranks nothing")
	assert.Nil(t, findTable(t, rep, "", "speed").Best)
}

func TestDisturbedCellsAreMarked(t *testing.T) {
	rep := judged(t)
	sec := findTable(t, rep, "", "sec/op")
	mcs := cell(t, sec, "2", "mcs")
	assert.Equal(t, 2, mcs.Disturbed)
	assert.Zero(t, cell(t, sec, "2", "ticket").Disturbed)
	require.Len(t, rep.Disturbed, 2)
	assert.Contains(t, rep.Disturbed[0], "g=2 lock=mutex: 1 of 6 trials disturbed (interference up to 0.01, speed 0.98–1.70)",
		"a trial that ran 1.7 times faster than usual")
	assert.Contains(t, rep.Disturbed[1], "g=2 lock=mcs: 2 of 6 trials disturbed (interference up to 0.35, speed 1.00–1.00)")
	// Every unit's table of the cell carries the note.
	assert.Equal(t, 2, cell(t, findTable(t, rep, "", "interference"), "2", "mcs").Disturbed)
}

func TestUnconvergedAndBimodalCells(t *testing.T) {
	rep := judged(t)
	assert.Equal(t, 0.05, rep.Precision)
	assert.Equal(t, 5, rep.Cells)
	sec := findTable(t, rep, "", "sec/op")

	tas := cell(t, sec, "2", "tas")
	require.Len(t, tas.Clusters, 2)
	assert.Equal(t, 4, tas.Clusters[0].N)
	assert.Equal(t, 2, tas.Clusters[1].N)
	assert.Equal(t, "33.350ns | 129.000ns", tas.Value)
	assert.Equal(t, "bimodal 4|2", tas.Range)
	require.Len(t, rep.Bimodal, 1)
	assert.Contains(t, rep.Bimodal[0], "lock=tas: bimodal: 4 trials around 33.35ns (33.00ns–34.00ns), 2 around 129.0ns (128.0ns–130.0ns)")

	assert.True(t, cell(t, sec, "2", "mcs").Unconverged)
	assert.False(t, cell(t, sec, "2", "ticket").Unconverged)
	assert.Len(t, rep.Unconverged, 1, "the bimodal cell is listed as bimodal, not as unconverged")
	assert.Contains(t, rep.Unconverged[0], "lock=mcs: ± ")

	var b strings.Builder
	require.NoError(t, rep.Write(&b, "text"))
	text := b.String()
	for _, want := range []string{
		"left out, the same in every cell: B/op = 0, allocs/op = 0",
		"warning: 2 of 5 cells had disturbed trials",
		"not converged: 1 of 5 cells are wider than ±5% (95% interval), not counting 1 bimodal:",
		"bimodal: 1 cells fall into two separate clusters",
		"33.350ns | 129.000ns",
	} {
		assert.Contains(t, text, want)
	}
}

func TestFilesWithoutJudgementSayNothing(t *testing.T) {
	rep, err := Build([]string{"testdata/locks.txt"}, ForLocks())
	require.NoError(t, err)
	assert.Empty(t, rep.Disturbed)
	assert.Empty(t, rep.Unconverged)
	assert.Zero(t, rep.Precision)
}

func TestAgree(t *testing.T) {
	dir := t.TempDir()
	write := func(name string, ns map[string][]float64) string {
		var b strings.Builder
		b.WriteString("pkg: github.com/lockbench/lockbench/bench\n")
		for _, g := range []string{"1", "2", "8"} {
			for lock, vals := range ns {
				for _, v := range vals {
					x := v
					if g == "8" && lock == "mcs" {
						x = v / 2 // mcs wins at g=8 in this file only, if at all
					}
					b.WriteString("BenchmarkCounter/lock=" + lock + "/g=" + g + "/mix=inc/cs=0/path=direct-2 1 " + ftoa(x) + " ns/op\n")
				}
			}
		}
		p := filepath.Join(dir, name)
		require.NoError(t, os.WriteFile(p, []byte(b.String()), 0o644))
		return p
	}
	// a: ticket is clearly fastest everywhere but g=8 (mcs halves there).
	a := write("a.txt", map[string][]float64{
		"ticket": {10, 10.1, 10.2, 10, 10.1, 10.2},
		"mcs":    {14, 14.1, 14.2, 14, 14.1, 14.2},
	})
	// b: ticket and mutex tie; mcs is slow and does not halve at g=8.
	b := write("b.txt", map[string][]float64{
		"ticket": {10, 11, 10.5, 10.2, 10.8, 10.4},
		"mutex":  {10.1, 10.9, 10.6, 10.3, 10.7, 10.5},
		"mcs":    {40, 40.1, 40.2, 40, 40.1, 40.2},
	})
	ra, err := Build([]string{a}, ForLocks())
	require.NoError(t, err)
	rb, err := Build([]string{b}, ForLocks())
	require.NoError(t, err)
	g := Agree(ra, rb)
	require.Len(t, g.Rows, 3)
	assert.Equal(t, 2, g.Same, "g=1 and g=2: ticket against the tie ticket ≈ mutex agree")
	assert.True(t, g.Rows[0].Same)
	assert.False(t, g.Rows[2].Same)
	assert.Equal(t, "mcs", g.Rows[2].A)

	var out strings.Builder
	require.NoError(t, g.WriteText(&out, "a.txt", "b.txt"))
	assert.Contains(t, out.String(), "reproducibility: 2 of 3 rows name the same best lock in a.txt and b.txt")
	assert.Contains(t, out.String(), "differ: ")
	assert.Contains(t, out.String(), "g=8: mcs | ")
}

func ftoa(x float64) string { return strings.TrimRight(strings.TrimRight(strconvFormat(x), "0"), ".") }

func strconvFormat(x float64) string { return strconv.FormatFloat(x, 'f', 3, 64) }

// TestNoResultsIsAnError: an empty file, one of only Unit lines, or random
// bytes hold no benchmark result, and say so (issue 11, defect 6).
func TestNoResultsIsAnError(t *testing.T) {
	dir := t.TempDir()
	random := make([]byte, 4096)
	for i := range random {
		random[i] = byte(i*7919 + i>>3)
	}
	for name, content := range map[string][]byte{
		"empty.txt":  nil,
		"units.txt":  []byte("Unit ns/op better=lower\ngoos: linux\n"),
		"random.txt": random,
	} {
		p := filepath.Join(dir, name)
		require.NoError(t, os.WriteFile(p, content, 0o644))
		_, err := Build([]string{p}, ForLocks())
		var empty *NoResultsError
		require.ErrorAs(t, err, &empty, name)
		assert.Equal(t, "reports: no benchmark results in "+p, err.Error())
		// Beside a good file, still an error: the input is not what the
		// user thinks it is.
		_, err = Build([]string{"testdata/judged.txt", p}, ForFiles())
		assert.ErrorAs(t, err, &empty, name)
	}
}

// TestNonFiniteValuesAreWarnings: NaN, Inf and negative measurements are
// left out with a warning naming the file and line, not printed as "+InfT".
func TestNonFiniteValuesAreWarnings(t *testing.T) {
	p := filepath.Join(t.TempDir(), "odd.txt")
	require.NoError(t, os.WriteFile(p, []byte(
		"BenchmarkX/lock=a/g=1 1 10 ns/op\n"+
			"BenchmarkX/lock=a/g=1 1 NaN ns/op\n"+
			"BenchmarkX/lock=b/g=1 1 +Inf ns/op 3 ops/s\n"+
			"BenchmarkX/lock=b/g=1 1 -5 ns/op\n"+
			"BenchmarkX/lock=b/g=1 1 12 ns/op\n"), 0o644))
	rep, err := Build([]string{p}, ForLocks())
	require.NoError(t, err)
	require.Len(t, rep.Warnings, 3)
	assert.Equal(t, p+":2: X/lock=a/g=1 value NaN ns/op left out", rep.Warnings[0])
	assert.Equal(t, p+":3: X/lock=b/g=1 value +Inf ns/op left out", rep.Warnings[1])
	assert.Equal(t, p+":4: X/lock=b/g=1 value -5 ns/op left out", rep.Warnings[2])
	var b strings.Builder
	require.NoError(t, rep.Write(&b, "text"))
	assert.NotContains(t, b.String(), "NaNn")
	assert.NotContains(t, b.String(), "InfT")
	assert.Equal(t, 1, cell(t, findTable(t, rep, "", "sec/op"), "1", "b").N, "only the finite value counts")
}
