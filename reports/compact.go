package reports

import (
	"cmp"
	"io"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/lockbench/lockbench/reports/units"
)

// writeCompact writes the "table" format, what lockbench run prints: the
// machine in a line or two, each table turned so that locks are rows and
// goroutine counts columns (value, interval, marks, and the ratio to the
// column's best lock), what the file says of its own cells, and the winner
// map last, every line within LineWidth.
func (r *Report) writeCompact(w io.Writer) error {
	var b strings.Builder
	if len(r.Config) > 0 {
		parts := make([]string, len(r.Config))
		for i, c := range r.Config {
			parts[i] = c.Key + " " + c.Value
		}
		b.WriteString(wrap("machine: "+strings.Join(parts, " · "), LineWidth, "  ") + "\n")
	}
	if slices.ContainsFunc(r.Tables, func(t *Table) bool { return numericRows(t.Rows) }) {
		b.WriteString("\nEach figure: the median, ± its 95% interval; x: against the best lock at that goroutine count.\n")
	}
	for _, t := range r.Tables {
		b.WriteByte('\n')
		if !numericRows(t.Rows) {
			// Not goroutine counts (a comparison of files, by benchmark
			// name): turned, its columns would be names; as benchstat lays
			// it out, it reads.
			if t.Title != "" {
				b.WriteString(t.Title + "\n")
			}
			t.writeText(&b)
			continue
		}
		t.writeCompact(&b, r.baselines)
	}
	if sum := r.Summary(); len(sum) > 0 {
		b.WriteByte('\n')
		for _, line := range sum {
			if strings.HasPrefix(line, "  ") {
				continue // the cells are marked in the tables; benchstat's format lists them
			}
			b.WriteString(wrap(summaryHeading(line), LineWidth, "    ") + "\n")
		}
	}
	for _, warn := range r.Warnings {
		b.WriteString(wrap("warning: "+warn, LineWidth, "  ") + "\n")
	}
	if m := r.Winners(); m != nil {
		b.WriteByte('\n')
		m.WriteText(&b, r.Precision)
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// summaryHeading turns a heading of Summary's lists into a sentence that
// points at the tables' marks instead of the list.
func summaryHeading(line string) string {
	mark := ""
	switch {
	case strings.HasPrefix(line, "warning:"):
		mark = markDisturbed
	case strings.HasPrefix(line, "not converged:"):
		mark = markUnconverged
	case strings.HasPrefix(line, "bimodal:"):
		mark = markBimodal
	default:
		return line
	}
	return strings.TrimSuffix(line, ":") + "; marked " + mark + " (lockbench report -format benchstat lists them)."
}

// numericRows reports whether every row is a number (a goroutine count).
func numericRows(rows []string) bool {
	for _, r := range rows {
		if _, err := strconv.ParseFloat(r, 64); err != nil {
			return false
		}
	}
	return len(rows) > 0
}

// CompactTable is a table turned for reading: one row per column of the
// Table (a lock), one column per row (a goroutine count).
type CompactTable struct {
	Title   string       `json:"title"`   // "time per operation (sec/op) — mix:inc cs:0 path:proc"
	Columns []string     `json:"columns"` // "g=1", "g=2"...
	Rows    []CompactRow `json:"rows"`    // locks, then baselines
	Ratios  bool         `json:"ratios"`  // whether cells carry a ratio to the column's best
	Better  string       `json:"better,omitempty"`
}

// CompactRow is one lock's figures across goroutine counts.
type CompactRow struct {
	Name     string         `json:"name"`
	Baseline bool           `json:"baseline,omitempty"` // not a lock: never best
	Cells    []*CompactCell `json:"cells"`              // nil where not measured
}

// CompactCell is one figure: the median, its interval, marks for a figure
// less sure than its interval says, and how it compares with the best lock
// of its column.
type CompactCell struct {
	Value string `json:"value"`           // "46.2ns", or both clusters of a bimodal cell
	Range string `json:"range,omitempty"` // "±4%"
	Marks string `json:"marks,omitempty"` // "!", "?", "‖"
	// Ratio is the median over the best lock's, in the direction that
	// makes it at least 1 for a worse lock ("1.35x"); "best" for the best,
	// with "≈" before a lock in a tie with it.
	Ratio string `json:"ratio,omitempty"`
	Best  bool   `json:"best,omitempty"` // the best lock or tied with it
}

// Compact turns t for reading; baselines are the columns that are not
// locks.
func (t *Table) Compact(baselines []string) *CompactTable {
	title := units.Label(t.Unit)
	if !strings.Contains(title, t.Unit) {
		title += " (" + t.Unit + ")"
	}
	if w := cmp.Or(t.Workload, t.Title); w != "" {
		title += " — " + w
	}
	// A ratio of ratios (max/min's "1.11x ±9%  1.11x") reads as a
	// stutter: those cells carry their value only.
	ct := &CompactTable{Title: title, Ratios: t.Best != nil && units.KindOf(t.Unit) != units.Ratio, Better: t.Better}
	for _, r := range t.Rows {
		ct.Columns = append(ct.Columns, strings.TrimLeft(t.RowBy, "./")+"="+r)
	}
	order := make([]int, 0, len(t.Cols))
	for pass := range 2 { // locks first, then baselines
		for j, c := range t.Cols {
			if slices.Contains(baselines, c) == (pass == 1) {
				order = append(order, j)
			}
		}
	}
	for _, j := range order {
		row := CompactRow{Name: t.Cols[j], Baseline: slices.Contains(baselines, t.Cols[j]), Cells: make([]*CompactCell, len(t.Rows))}
		for i := range t.Rows {
			c := t.Cells[i][j]
			if c == nil {
				continue
			}
			// Each figure in its own scale ("1.764µs", not the row's
			// "1764.0ns"): a column of a turned table mixes rows.
			own := func(v float64) string { return formatFor(t.Unit, []float64{v})(v) }
			cc := &CompactCell{Value: own(c.Center), Range: strings.Replace(rangeText(c.sum, own), "± ", "±", 1)}
			if c.Clusters != nil {
				cc.Value = own(c.Clusters[0].Center) + " | " + own(c.Clusters[1].Center)
				cc.Range = ""
				cc.Marks = markBimodal
			}
			if c.Disturbed > 0 {
				cc.Marks = markDisturbed + cc.Marks
			}
			if c.Unconverged && c.Clusters == nil {
				cc.Marks += markUnconverged
			}
			if ct.Ratios {
				cc.Ratio, cc.Best = t.ratioToBest(i, j)
			}
			row.Cells[i] = cc
		}
		ct.Rows = append(ct.Rows, row)
	}
	return ct
}

// ratioToBest compares cell (i, j) with row i's best column: "best", "≈"
// and the ratio for a column tied with it, the ratio otherwise.
func (t *Table) ratioToBest(i, j int) (string, bool) {
	if t.Best[i] == "" {
		return "", false
	}
	names := strings.Split(t.Best[i], TieSeparator)
	best := t.Cells[i][slices.Index(t.Cols, names[0])]
	c := t.Cells[i][j]
	if t.Cols[j] == names[0] {
		return "best", true
	}
	ratio := c.Center / best.Center
	if t.Better == units.Higher {
		ratio = best.Center / c.Center
	}
	text := formatRatio(ratio)
	if best.Center == 0 || c.Center == 0 {
		text = ""
	}
	if slices.Contains(names, t.Cols[j]) {
		return "≈" + text, true
	}
	return text, false
}

// writeCompact writes the table turned (Compact), in as many panels of
// goroutine counts as LineWidth needs (writePanels).
func (t *Table) writeCompact(b *strings.Builder, baselines []string) {
	ct := t.Compact(baselines)
	b.WriteString(wrap(ct.Title, LineWidth, "  ") + "\n")

	// Each goroutine count's cells, laid out within their column.
	texts := make([][]string, len(ct.Columns)) // [column][row]
	for i := range ct.Columns {
		// The value right-aligned; its interval and marks together after
		// it, so that a mark stays by its figure; the ratio last.
		var vw, rw int
		for _, row := range ct.Rows {
			if c := row.Cells[i]; c != nil {
				vw = max(vw, utf8.RuneCountInString(c.Value))
				rw = max(rw, utf8.RuneCountInString(strings.TrimSpace(c.Range+" "+c.Marks)))
			}
		}
		for _, row := range ct.Rows {
			c := row.Cells[i]
			if c == nil {
				texts[i] = append(texts[i], "")
				continue
			}
			s := pad(c.Value, vw, 'r')
			if rw > 0 {
				s += " " + pad(strings.TrimSpace(c.Range+" "+c.Marks), rw, 'l')
			}
			if c.Ratio != "" {
				s += "  " + c.Ratio
			}
			texts[i] = append(texts[i], strings.TrimRight(s, " "))
		}
	}
	label := []string{"lock"}
	for _, row := range ct.Rows {
		name := row.Name
		if row.Baseline {
			name += " ·"
		}
		label = append(label, name)
	}
	for i := range texts {
		texts[i] = append([]string{ct.Columns[i]}, texts[i]...)
	}
	writePanels(b, label, texts)
	if slices.ContainsFunc(ct.Rows, func(r CompactRow) bool { return r.Baseline }) {
		b.WriteString("·: a baseline, not a lock, never named best\n")
	}
	if legend := compactMarks(ct); legend != "" {
		b.WriteString(legend + "\n")
	}
}

// compactMarks explains the marks a compact table uses.
func compactMarks(ct *CompactTable) string {
	var m winnerMarks
	for _, row := range ct.Rows {
		for _, c := range row.Cells {
			if c != nil {
				m.disturbed = m.disturbed || strings.Contains(c.Marks, markDisturbed)
				m.unconverged = m.unconverged || strings.Contains(c.Marks, markUnconverged)
				m.bimodal = m.bimodal || strings.Contains(c.Marks, markBimodal)
			}
		}
	}
	return m.legend("bimodal: both clusters' medians")
}
