// Package reports turns Go benchmark files into statistical comparisons,
// the way benchstat does, and renders them as text, Markdown, CSV, JSON or a
// self-contained HTML page with charts.
//
// It is built in x/perf's layers: golang.org/x/perf/benchfmt reads the
// files, benchproc filters and projects each result onto a table, a row and
// a column (rows by /g and columns by /lock, or columns by .file to compare
// old and new files), and benchmath summarises each cell: the median with a
// 95% confidence interval, a Mann-Whitney U test of every column against the
// first (the baseline), "~" where the difference is not significant, and a
// geomean row. For the same input and projections the numbers are the ones
// benchstat prints.
//
// A results file may judge its own cells: trials carry "interference" (the
// share of the machine that went to other work while they ran) and "speed"
// (how fast the machine ran against its usual) units, and the file
// "max-interference" and "max-speed-change" lines, so that cells with
// disturbed trials are marked and listed; a "precision" line asks that
// every cell's sec/op interval be within ±precision, and cells wider are
// marked as not converged, and makes a difference smaller than it a tie in
// the best column. Cells whose values fall into two separate clusters are
// shown as both clusters, not as a median between them. Tables in which
// every cell holds the same value (B/op at 0) are left out and named.
//
// A report answers at a glance too (glance.go): the winner map names the
// best lock of each workload at each goroutine count, ties and doubtful
// winners marked, and the "table" format turns each table so that locks
// are rows and goroutine counts columns, within 120 columns, ending with
// the map; the HTML page opens with the map and draws one colour per lock
// everywhere (palette.go). Units are named as the files name them
// (p99-ns, not benchstat's tidied p99-sec) and values written as their
// kind (units.KindOf): durations with their unit, fractions as fractions,
// ratios as ratios.
//
// reports reads result files only; it knows nothing of how they were made.
package reports

import (
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"

	"golang.org/x/perf/benchfmt"
	"golang.org/x/perf/benchmath"
	"golang.org/x/perf/benchproc"

	"github.com/lockbench/lockbench/internal/sample"
	"github.com/lockbench/lockbench/reports/units"
)

// Options selects and shapes the comparison. The projections use benchproc's
// syntax (go doc golang.org/x/perf/benchproc/syntax): "/g", "/lock", ".file",
// ".fullname", "/lock@(mutex ticket)" for a fixed order, and so on.
type Options struct {
	Table      string  // split into tables by these keys; default ".config"
	Row        string  // default ".fullname"
	Col        string  // default ".file"
	Filter     string  // benchproc filter; default "*"
	Confidence float64 // of the ranges; default 0.95
	Alpha      float64 // significance threshold; default 0.05
	// Best adds, per row, the best column by the unit's direction, or the
	// tie "a ≈ b ≈ ..." of it and every column not significantly worse (or
	// worse by less than the file's precision).
	Best bool
	// Baselines are columns shown for reference but never named best: the
	// guards that are not locks (atomic, sharded, xsync).
	Baselines []string
	// Charts are the units ("sec/op", "ops/s", "p99-ns") that Charts
	// draws, each against its tables' rows where those are numbers.
	Charts []string

	// minEffect is the smallest relative difference of medians that makes
	// one column better than another in the best column: the file's
	// precision target, so that a run asked for ±5% never names a winner by
	// 2%, however many trials make that 2% significant.
	minEffect float64
}

// ForLocks returns the options that compare locks within one file: one table
// per unit and workload (mix, cs, path...), rows by goroutines, columns by
// lock. The first lock seen is the baseline.
func ForLocks() Options {
	// /wait: results written before issue 11 named a lock's policy in a key
	// of its own; today's name it in /lock ("ticket:park").
	// The lock statistics' charts are drawn only where the results have
	// them (lockbench run -stats).
	return Options{Table: ".config .name /wait /mix /cs /path /think /stats", Row: "/g", Col: "/lock", Best: true,
		Charts: []string{"sec/op", "ops/s", "p99-ns", "fairness", "contended", "spins/op", "yields/op", "parks/op"}}
}

// ForFiles returns the options that compare files, old to new, as
// benchstat old.txt new.txt does.
func ForFiles() Options {
	return Options{Table: ".config", Row: ".fullname", Col: ".file"}
}

func (o Options) withDefaults() Options {
	if o.Table == "" {
		o.Table = ".config"
	}
	if o.Row == "" {
		o.Row = ".fullname"
	}
	if o.Col == "" {
		o.Col = ".file"
	}
	if o.Filter == "" {
		o.Filter = "*"
	}
	if o.Confidence == 0 {
		o.Confidence = 0.95
	}
	if o.Alpha == 0 {
		o.Alpha = benchmath.DefaultThresholds.CompareAlpha
	}
	return o
}

// Report is the comparison of one or more benchmark files.
type Report struct {
	Files    []string     `json:"files"`
	Config   []ConfigLine `json:"config"`             // the first file's configuration lines: the machine
	Tables   []*Table     `json:"tables"`             // one per unit and table key
	Warnings []string     `json:"warnings,omitempty"` // malformed input lines, "file:line: message"

	// What the file says of its own cells, one line per cell, from the
	// sec/op tables: cells with disturbed trials, cells whose interval is
	// wider than the file's precision target, and bimodal cells.
	Disturbed   []string `json:"disturbed,omitempty"`
	Unconverged []string `json:"unconverged,omitempty"`
	Bimodal     []string `json:"bimodal,omitempty"`
	// Precision is the file's precision target, 0 if it has none; Cells is
	// the number of sec/op cells, which Unconverged is out of.
	Precision float64 `json:"precision,omitempty"`
	Cells     int     `json:"cells,omitempty"`
	// Omitted names the units left out because every cell holds the same
	// value, e.g. "B/op = 0".
	Omitted []string `json:"omitted,omitempty"`

	charts    []string // Options.Charts
	baselines []string // Options.Baselines: never best, drawn dashed in the charts
}

// Only returns a copy of r that holds the tables of one unit, as Build
// with the filter ".unit:UNIT" makes it: one build serves a terminal's
// table and the HTML report's every unit.
func (r *Report) Only(unit string) *Report {
	out := *r
	out.Tables, out.Omitted = nil, nil
	for _, t := range r.Tables {
		if t.Unit == unit {
			out.Tables = append(out.Tables, t)
		}
	}
	for _, o := range r.Omitted {
		if strings.HasPrefix(o, unit+" ") {
			out.Omitted = append(out.Omitted, o)
		}
	}
	return &out
}

// ConfigLine is one "key: value" line of a benchmark file.
type ConfigLine struct {
	Key   string `json:"key"`
	Value string `json:"value"`
}

// Table compares the columns of one unit, row by row.
type Table struct {
	Title string `json:"title"` // the table key's values that tell tables apart, e.g. "mix:inc"
	// Workload names the table's workload whole, every key of the
	// benchmark name's that splits tables, varying or not: "mix:inc cs:0
	// path:proc".
	Workload string     `json:"workload,omitempty"`
	Unit     string     `json:"unit"`             // as the file names it ("p99-ns"), ns/op as benchstat's "sec/op"
	Better   string     `json:"better,omitempty"` // "higher" or "lower" if the unit says
	RowBy    string     `json:"rowBy"`
	ColBy    string     `json:"colBy"`
	Rows     []string   `json:"rows"`
	Cols     []string   `json:"cols"`              // Cols[0] is the baseline
	Cells    [][]*Cell  `json:"cells"`             // [row][col]; null where there is no data
	Best     []string   `json:"best,omitempty"`    // per row, the best column, or a tie "a ≈ b ≈ ..." (see Options.Best)
	Geomean  []*Geomean `json:"geomean,omitempty"` // per column; only with more than one row
	Notes    []string   `json:"notes,omitempty"`   // footnotes, referenced by number from cells

	rowKeys, colKeys []benchproc.Key
	note             func([]error) []int
}

// Cell is one row and column's sample.
type Cell struct {
	Center float64 `json:"center"` // median, in Table.Unit (sec/op in seconds)
	Lo     Bound   `json:"lo"`     // confidence interval; infinite with too few samples
	Hi     Bound   `json:"hi"`
	N      int     `json:"n"`
	Value  string  `json:"value"` // Center scaled for the row, e.g. "28.02n"
	Range  string  `json:"range"` // "± 2%", or "± ∞" with too few samples
	// Against the baseline column; empty in the baseline column itself.
	Delta       string  `json:"delta,omitempty"` // "-76.10%", or "~" if not significant
	P           float64 `json:"p,omitempty"`
	Test        string  `json:"test,omitempty"` // "p=0.008 n=5"
	Significant bool    `json:"significant,omitempty"`
	Notes       []int   `json:"notes,omitempty"` // 1-based indexes into Table.Notes

	// Disturbed is how many of the cell's trials were disturbed beyond the
	// file's limits (sample.Limits); Unconverged is set when its interval is
	// wider than the file's precision target (sec/op only); Clusters, when
	// its values fall into two separate groups, holds both, lower first.
	Disturbed   int              `json:"disturbed,omitempty"`
	Unconverged bool             `json:"unconverged,omitempty"`
	Clusters    []sample.Cluster `json:"clusters,omitempty"`

	sample *benchmath.Sample
	sum    benchmath.Summary
}

// Bound is a confidence interval bound. It is infinite when the sample is
// too small for the confidence level, and then encodes as JSON null.
type Bound float64

// MarshalJSON writes a finite bound as a number and an infinite one as null.
func (b Bound) MarshalJSON() ([]byte, error) {
	if math.IsInf(float64(b), 0) || math.IsNaN(float64(b)) {
		return []byte("null"), nil
	}
	return json.Marshal(float64(b))
}

// Geomean is a column's geometric mean over the rows.
type Geomean struct {
	Value string `json:"value,omitempty"` // scaled, e.g. "18.50n"; empty if not computable
	Delta string `json:"delta,omitempty"` // ratio to the baseline's geomean, "-96.20%"; "?" if not computable
	Notes []int  `json:"notes,omitempty"`
}

// Build reads the benchmark files (benchfmt.Files semantics: "-" is stdin,
// "label=path" names a file) and compares them. A malformed line is a warning
// naming its file and line, and the rest is still reported. A file that
// cannot be read, or a bad projection or filter, is an error.
func Build(paths []string, opts Options) (*Report, error) {
	opts = opts.withDefaults()
	filter, err := benchproc.NewFilter(opts.Filter)
	if err != nil {
		return nil, fmt.Errorf("reports: filter %q: %w", opts.Filter, err)
	}
	var parser benchproc.ProjectionParser
	tableBy, unitField, err := parser.ParseWithUnit(opts.Table, filter)
	if err != nil {
		return nil, fmt.Errorf("reports: table projection %q: %w", opts.Table, err)
	}
	rowBy, err := parser.Parse(opts.Row, filter)
	if err != nil {
		return nil, fmt.Errorf("reports: row projection %q: %w", opts.Row, err)
	}
	colBy, err := parser.Parse(opts.Col, filter)
	if err != nil {
		return nil, fmt.Errorf("reports: column projection %q: %w", opts.Col, err)
	}

	rep := &Report{Files: paths, charts: opts.Charts, baselines: opts.Baselines}
	g := newGrouper(tableBy, rowBy, colBy, unitField)
	found := map[string]bool{} // files with at least one result
	files := newFiles(paths, func(w string) { rep.Warnings = append(rep.Warnings, w) })
	for files.Scan() {
		switch rec := files.Result().(type) {
		case *benchfmt.SyntaxError:
			rep.Warnings = append(rep.Warnings, rec.Error())
		case *benchfmt.Result:
			if !keepMeasurements(rec, &rep.Warnings) {
				continue
			}
			for i := range rec.Values {
				untidy(&rec.Values[i])
			}
			file, _ := rec.Pos()
			found[file] = true
			if rep.Config == nil {
				rep.Config = fileConfig(rec)
			}
			// Before the filter, which may drop the disturbance units.
			g.addDisturbance(rec)
			ok, err := filter.Apply(rec)
			if err != nil {
				rep.Warnings = append(rep.Warnings, err.Error())
			}
			if ok {
				g.add(rec)
			}
		}
	}
	if err := files.Err(); err != nil {
		return nil, fmt.Errorf("reports: %w", err)
	}
	for _, p := range paths {
		if _, path, ok := strings.Cut(p, "="); ok {
			p = path
		}
		if !found[p] {
			return nil, &NoResultsError{File: p}
		}
	}
	units := benchfmt.UnitMetadataMap(files.Units())
	judge := judgeFrom(rep.Config)
	rep.Precision = judge.precision
	opts.minEffect = judge.precision
	thresholds := benchmath.DefaultThresholds
	thresholds.CompareAlpha = opts.Alpha
	keys := sortedKeys(g.tables)
	// Titles show only the keys that tell tables apart, not the unit (shown
	// on its own) nor what every table shares (the machine, in Config).
	varying := benchproc.NonSingularFields(keys)
	// A unit is named left out only if every table of it was: one whose
	// value is the same in one workload may vary in another.
	var omitted []string
	omittedValues := map[string]map[string]bool{}
	kept := map[string]bool{}
	for _, tk := range keys {
		var title []string
		for _, f := range varying {
			if f != unitField {
				title = append(title, strings.TrimLeft(f.Name, "./")+":"+tk.Get(f))
			}
		}
		t := g.tables[tk].build(tk.Get(unitField), opts, &thresholds, units)
		t.Title = strings.Join(title, " ")
		t.Workload = workloadOf(tableBy, tk, title)
		if v, same := t.constant(); same {
			if omittedValues[t.Unit] == nil {
				omittedValues[t.Unit] = map[string]bool{}
				omitted = append(omitted, t.Unit)
			}
			omittedValues[t.Unit][v] = true
			continue
		}
		kept[t.Unit] = true
		if isWhyUnit(t.Unit) {
			t.Best = nil // fewer spins is no reason to prefer a lock: the cost is what ranks them
		}
		judge.mark(rep, t, g.disturbance[g.tableID(tk)])
		rep.Tables = append(rep.Tables, t)
	}
	for _, unit := range omitted {
		switch values := omittedValues[unit]; {
		case kept[unit]:
		case len(values) == 1:
			for v := range values {
				rep.Omitted = append(rep.Omitted, unit+" = "+v)
			}
		default:
			rep.Omitted = append(rep.Omitted, unit+" (the same in every cell of each table)")
		}
	}
	return rep, nil
}

// workloadOf names a table key's workload: its benchmark-name keys ("/mix")
// that have a value, as "mix:inc cs:0", and whatever else of the title
// tells it from other tables (a file's configuration: "cpu:...").
func workloadOf(tableBy *benchproc.Projection, tk benchproc.Key, title []string) string {
	var parts []string
	for _, f := range tableBy.FlattenedFields() {
		if strings.HasPrefix(f.Name, "/") && tk.Get(f) != "" {
			parts = append(parts, strings.TrimPrefix(f.Name, "/")+":"+tk.Get(f))
		}
	}
	for _, t := range title {
		if !slices.Contains(parts, t) {
			parts = append(parts, t)
		}
	}
	return strings.Join(parts, " ")
}

// NoResultsError reports an input file that holds no benchmark result: an
// empty file, one of only configuration or Unit lines, or not a benchmark
// file at all.
type NoResultsError struct{ File string }

func (e *NoResultsError) Error() string {
	return fmt.Sprintf("reports: no benchmark results in %s", e.File)
}

// keepMeasurements drops r's values that are not finite non-negative
// numbers (NaN, ±Inf, negative: no unit lockbench or go test writes can
// take them), each with a warning naming the file and line, and reports
// whether any value is left.
func keepMeasurements(r *benchfmt.Result, warnings *[]string) bool {
	kept := r.Values[:0]
	for _, v := range r.Values {
		if math.IsNaN(v.Value) || math.IsInf(v.Value, 0) || v.Value < 0 {
			file, line := r.Pos()
			value, unit := v.Value, v.Unit
			if v.OrigUnit != "" {
				value, unit = v.OrigValue, v.OrigUnit // as the file wrote it
			}
			*warnings = append(*warnings, fmt.Sprintf("%s:%d: %s value %v %s left out", file, line, r.Name.Full(), value, unit))
			continue
		}
		kept = append(kept, v)
	}
	r.Values = kept
	return len(kept) > 0
}

// fileConfig returns a result's file configuration: the machine description.
func fileConfig(r *benchfmt.Result) []ConfigLine {
	var out []ConfigLine
	for _, c := range r.Config {
		if c.File {
			out = append(out, ConfigLine{Key: c.Key, Value: string(c.Value)})
		}
	}
	return out
}

// grouper sorts results into tables, rows and columns.
type grouper struct {
	tableBy, rowBy, colBy *benchproc.Projection
	unitField             *benchproc.Field
	tables                map[benchproc.Key]*group
	// disturbance holds each cell's trials' disturbance units, by the cell's
	// table key without its unit (see tableID), so that every unit's table
	// of that cell can be judged by them.
	disturbance map[string]map[cellKey][]sample.Disturbance
}

type cellKey struct{ row, col benchproc.Key }

type group struct {
	rows, cols map[benchproc.Key]bool
	values     map[cellKey][]float64
}

// constant reports whether every value of the table's cells is the same,
// and which; a table of one cell compares nothing, and is never constant.
func (t *Table) constant() (string, bool) {
	var first *float64
	cells := 0
	for _, row := range t.Cells {
		for _, c := range row {
			if c == nil {
				continue
			}
			cells++
			for _, v := range c.sample.Values {
				if first == nil {
					first = &v
				} else if v != *first {
					return "", false
				}
			}
		}
	}
	if cells < 2 {
		return "", false
	}
	return strconv.FormatFloat(*first, 'g', -1, 64), true
}

func newGrouper(tableBy, rowBy, colBy *benchproc.Projection, unitField *benchproc.Field) *grouper {
	return &grouper{tableBy: tableBy, rowBy: rowBy, colBy: colBy, unitField: unitField,
		tables: make(map[benchproc.Key]*group), disturbance: make(map[string]map[cellKey][]sample.Disturbance)}
}

// tableID is a table key's values without its unit: the same for every
// unit's table of one workload.
func (g *grouper) tableID(tk benchproc.Key) string {
	var b strings.Builder
	for _, f := range g.tableBy.FlattenedFields() {
		if f != g.unitField {
			b.WriteString(tk.Get(f))
			b.WriteByte(0)
		}
	}
	return b.String()
}

// addDisturbance records r's disturbance units (interference, speed), if it
// has any.
func (g *grouper) addDisturbance(r *benchfmt.Result) {
	d := sample.Disturbance{Interference: math.NaN()}
	at := -1
	for i, v := range r.Values {
		switch v.Unit {
		case sample.InterferenceUnit:
			d.Interference, at = v.Value, i
		case sample.SpeedUnit:
			d.Speed, at = v.Value, i
		}
	}
	if at < 0 {
		return
	}
	id := g.tableID(g.tableBy.ProjectValues(r)[at])
	m := g.disturbance[id]
	if m == nil {
		m = make(map[cellKey][]sample.Disturbance)
		g.disturbance[id] = m
	}
	k := cellKey{g.rowBy.Project(r), g.colBy.Project(r)}
	m[k] = append(m[k], d)
}

func (g *grouper) add(r *benchfmt.Result) {
	row, col := g.rowBy.Project(r), g.colBy.Project(r)
	// ProjectValues gives one table key per value (unit) of the result.
	for i, tk := range g.tableBy.ProjectValues(r) {
		t := g.tables[tk]
		if t == nil {
			t = &group{rows: map[benchproc.Key]bool{}, cols: map[benchproc.Key]bool{}, values: map[cellKey][]float64{}}
			g.tables[tk] = t
		}
		t.rows[row], t.cols[col] = true, true
		k := cellKey{row, col}
		t.values[k] = append(t.values[k], r.Values[i].Value)
	}
}

func sortedKeys[V any](m map[benchproc.Key]V) []benchproc.Key {
	keys := make([]benchproc.Key, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	benchproc.SortKeys(keys)
	return keys
}

// build summarises one table: each cell against the baseline column, the
// best column per row, and the geomean row.
func (t *group) build(unit string, opts Options, th *benchmath.Thresholds, units benchfmt.UnitMetadataMap) *Table {
	assumption := units.GetAssumption(unit)
	rows, cols := sortedKeys(t.rows), sortedKeys(t.cols)
	out := &Table{
		Unit:    unit,
		Better:  betterOf(units, unit),
		RowBy:   opts.Row,
		ColBy:   opts.Col,
		rowKeys: rows,
		colKeys: cols,
	}
	for _, c := range cols {
		out.Cols = append(out.Cols, c.StringValues())
	}
	notes := map[string]int{}
	note := func(errs []error) []int {
		var idx []int
		for _, e := range errs {
			s := e.Error()
			i, ok := notes[s]
			if !ok {
				out.Notes = append(out.Notes, s)
				i = len(out.Notes)
				notes[s] = i
			}
			if !slices.Contains(idx, i) {
				idx = append(idx, i)
			}
		}
		return idx
	}

	for _, r := range rows {
		out.Rows = append(out.Rows, r.StringValues())
		cells := make([]*Cell, len(cols))
		var centers []float64
		for j, c := range cols {
			values, ok := t.values[cellKey{r, c}]
			if !ok {
				continue
			}
			s := benchmath.NewSample(values, th)
			sum := assumption.Summary(s, opts.Confidence)
			cells[j] = &Cell{
				Center: sum.Center, Lo: Bound(sum.Lo), Hi: Bound(sum.Hi), N: len(values),
				Notes:  note(append(slices.Clone(s.Warnings), sum.Warnings...)),
				sample: s,
				sum:    sum,
			}
			centers = append(centers, sum.Center)
		}
		// One scale per row, as benchstat does, so a row reads in one unit.
		format := formatFor(unit, centers)
		base := cells[0]
		for j, cell := range cells {
			if cell == nil {
				continue
			}
			cell.Value = format(cell.Center)
			cell.Range = rangeText(cell.sum, format)
			if j == 0 || base == nil {
				continue
			}
			cmp := assumption.Compare(base.sample, cell.sample)
			cell.Delta = cmp.FormatDelta(base.Center, cell.Center)
			cell.P = cmp.P
			cell.Test = cmp.String()
			cell.Significant = cell.Delta != "~"
			cell.Notes = append(cell.Notes, note(cmp.Warnings)...)
		}
		for _, cell := range cells {
			if cell != nil {
				cell.markClusters(format)
			}
		}
		out.Cells = append(out.Cells, cells)
		out.Best = append(out.Best, best(cells, out.Cols, out.Better, assumption, opts.Baselines, opts.minEffect))
	}
	out.note = note
	if len(rows) > 1 {
		out.Geomean = geomeans(out, note)
	}
	if out.Better == "" || !opts.Best || unit == sample.InterferenceUnit || unit == sample.SpeedUnit {
		out.Best = nil
	}
	return out
}

// betterOf is a unit's direction: from the files' Unit lines, or, for go
// test -bench output, which has none, from lockbench's table.
func betterOf(meta benchfmt.UnitMetadataMap, unit string) string {
	switch meta.GetBetter(unit) {
	case 1:
		return units.Higher
	case -1:
		return units.Lower
	}
	return units.Better(unit)
}

// best names the row's best column, leaving out the baselines, or the tie
// "a ≈ b ≈ ..." of the best and every column not significantly worse, or
// worse by less than minEffect.
func best(cells []*Cell, cols []string, better string, assumption benchmath.Assumption, baselines []string, minEffect float64) string {
	if better == "" {
		return ""
	}
	sign := 1.0
	if better == units.Lower {
		sign = -1
	}
	order := make([]int, 0, len(cells))
	for j, c := range cells {
		if c != nil && !slices.Contains(baselines, cols[j]) {
			order = append(order, j)
		}
	}
	if len(order) == 0 {
		return ""
	}
	slices.SortStableFunc(order, func(a, b int) int {
		return -compareFloat(sign*cells[a].Center, sign*cells[b].Center)
	})
	first := order[0]
	names := []string{cols[first]}
	for _, j := range order[1:] {
		cmp := assumption.Compare(cells[j].sample, cells[first].sample)
		small := cells[first].Center != 0 && math.Abs(cells[j].Center/cells[first].Center-1) < minEffect
		if cmp.P >= cmp.Alpha || small {
			names = append(names, cols[j])
		}
	}
	return strings.Join(names, TieSeparator)
}

// TieSeparator joins the columns of a tie in Table.Best.
const TieSeparator = " ≈ "

func compareFloat(a, b float64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// geomeans computes each column's geometric mean and its ratio to the
// baseline's, as benchstat's summary row does.
func geomeans(t *Table, note func([]error) []int) []*Geomean {
	nBase := 0
	for _, row := range t.Cells {
		if row[0] != nil {
			nBase++
		}
	}
	out := make([]*Geomean, len(t.Cols))
	for j := range t.Cols {
		var centers, ratios []float64
		var errs []error
		badRatio := false
		for _, row := range t.Cells {
			c := row[j]
			if c == nil {
				continue
			}
			centers = append(centers, c.Center)
			if j == 0 || row[0] == nil {
				continue
			}
			switch b := row[0].Center; {
			case c.Center == b:
				ratios = append(ratios, 1)
			case b == 0:
				badRatio = true
			default:
				ratios = append(ratios, c.Center/b)
			}
		}
		if j > 0 && nBase != len(ratios) && !badRatio {
			errs = append(errs, errors.New("benchmark set differs from baseline; geomeans may not be comparable"))
		}
		g := &Geomean{}
		if gm := geomean(centers); math.IsNaN(gm) {
			errs = append(errs, errors.New("summaries must be >0 to compute geomean"))
		} else {
			g.Value = formatFor(t.Unit, []float64{gm})(gm)
		}
		if j > 0 {
			if gm := geomean(ratios); badRatio || math.IsNaN(gm) {
				g.Delta = "?"
				if !badRatio {
					errs = append(errs, errors.New("ratios must be >0 to compute geomean"))
				}
			} else {
				g.Delta = fmt.Sprintf("%+.2f%%", (gm-1)*100)
			}
		}
		g.Notes = note(errs)
		out[j] = g
	}
	return out
}

// geomean is the geometric mean, NaN unless every value is positive.
func geomean(xs []float64) float64 {
	if len(xs) == 0 {
		return math.NaN()
	}
	var logSum float64
	for _, x := range xs {
		if x <= 0 {
			return math.NaN()
		}
		logSum += math.Log(x)
	}
	return math.Exp(logSum / float64(len(xs)))
}
