package reports

import (
	"cmp"
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"
)

// A report at a glance: the winner map, which names the best lock of each
// workload at each goroutine count, and the compact tables, each unit's
// table turned so that locks are rows and goroutine counts columns, which
// fit a terminal where benchstat's tables (a column group per lock) run to
// hundreds of characters.

// LineWidth is the width the compact text keeps within: a terminal's 120
// columns.
const LineWidth = 120

// Marks of a cell whose figure is less sure than its interval says, in the
// winner map and the compact tables.
const (
	markDisturbed   = "!" // some trials were disturbed (Cell.Disturbed)
	markUnconverged = "?" // the interval is wider than the file's precision target
	markBimodal     = "‖" // the trials fall into two clusters
)

// WinnerMap names the best lock (baselines excluded) of each workload at
// each row (goroutine count), by the headline unit, sec/op: the answer to
// "which lock at which contention".
type WinnerMap struct {
	Unit    string      `json:"unit"`    // the unit the locks are ranked by
	RowBy   string      `json:"rowBy"`   // what the columns count: "g"
	Columns []string    `json:"columns"` // goroutine counts, in order
	Rows    []WinnerRow `json:"rows"`    // one per workload
	Locks   []string    `json:"locks"`   // every lock named
	// FewTrials is set when some cells had too few trials for a
	// confidence interval: there no difference is significant, and ties
	// say nothing.
	FewTrials bool        `json:"fewTrials,omitempty"`
	marks     winnerMarks // which marks appear
}

// WinnerRow is one workload's winners.
type WinnerRow struct {
	Workload string    `json:"workload"` // "mix:inc cs:0 path:proc"
	Cells    []*Winner `json:"cells"`    // per column; nil where not measured
}

// Winner is one cell of the map: the best lock, or a tie of the best and
// every lock not significantly worse (or worse by less than the file's
// precision), and whether any of their figures is less sure than it looks.
type Winner struct {
	Locks       []string `json:"locks"` // empty if only baselines were measured
	Disturbed   bool     `json:"disturbed,omitempty"`
	Unconverged bool     `json:"unconverged,omitempty"`
	Bimodal     bool     `json:"bimodal,omitempty"`
}

type winnerMarks struct{ disturbed, unconverged, bimodal bool }

// Tie reports whether the cell names more than one lock.
func (w *Winner) Tie() bool { return len(w.Locks) > 1 }

// Marks returns the cell's marks: "!" disturbed, "?" not converged, "‖"
// bimodal.
func (w *Winner) Marks() string {
	var m string
	if w.Disturbed {
		m += markDisturbed
	}
	if w.Unconverged {
		m += markUnconverged
	}
	if w.Bimodal {
		m += markBimodal
	}
	return m
}

// Winners returns the winner map of the report's sec/op tables, nil if it
// has none that compares locks by goroutine count (columns by /lock, rows
// numbers, a best column): a comparison of files, or of other projections.
func (r *Report) Winners() *WinnerMap {
	var tables []*Table
	for _, t := range r.Tables {
		if t.Unit == headlineUnit && t.Best != nil && strings.HasPrefix(t.ColBy, "/lock") && numericRows(t.Rows) {
			tables = append(tables, t)
		}
	}
	if len(tables) == 0 {
		return nil
	}
	m := &WinnerMap{Unit: headlineUnit, RowBy: strings.TrimLeft(tables[0].RowBy, "./")}
	for _, t := range tables {
		for _, row := range t.Rows {
			if !slices.Contains(m.Columns, row) {
				m.Columns = append(m.Columns, row)
			}
		}
	}
	sortNumerically(m.Columns)
	for _, t := range tables {
		wr := WinnerRow{Workload: cmp.Or(t.Workload, t.Title, "all"), Cells: make([]*Winner, len(m.Columns))}
		for i, row := range t.Rows {
			for _, c := range t.Cells[i] {
				if c != nil && (math.IsInf(float64(c.Lo), 0) || math.IsInf(float64(c.Hi), 0)) {
					m.FewTrials = true
				}
			}
			w := &Winner{}
			if t.Best[i] != "" {
				w.Locks = strings.Split(t.Best[i], TieSeparator)
			}
			for _, lock := range w.Locks {
				if !slices.Contains(m.Locks, lock) {
					m.Locks = append(m.Locks, lock)
				}
				c := t.Cells[i][slices.Index(t.Cols, lock)]
				w.Disturbed = w.Disturbed || c.Disturbed > 0
				w.Unconverged = w.Unconverged || c.Unconverged
				w.Bimodal = w.Bimodal || c.Clusters != nil
			}
			m.marks.disturbed = m.marks.disturbed || w.Disturbed
			m.marks.unconverged = m.marks.unconverged || w.Unconverged
			m.marks.bimodal = m.marks.bimodal || w.Bimodal
			wr.Cells[slices.Index(m.Columns, row)] = w
		}
		m.Rows = append(m.Rows, wr)
	}
	return m
}

// sortNumerically sorts rows by value if every one is a number (goroutine
// counts), and leaves them in their order otherwise.
func sortNumerically(rows []string) {
	nums := make(map[string]float64, len(rows))
	for _, r := range rows {
		n, err := strconv.ParseFloat(r, 64)
		if err != nil {
			return
		}
		nums[r] = n
	}
	slices.SortStableFunc(rows, func(a, b string) int { return compareFloat(nums[a], nums[b]) })
}

// tieText writes a winner's locks, at most n names of a tie: "ticket",
// "mcs ≈ ticket", "a ≈ b ≈ c +2".
func tieText(locks []string, n int) string {
	if len(locks) == 0 {
		return "(baselines only)"
	}
	if len(locks) <= n+1 { // "+1" would hide a name in the space it takes
		return strings.Join(locks, TieSeparator)
	}
	return strings.Join(locks[:n], TieSeparator) + fmt.Sprintf(" +%d", len(locks)-n)
}

// WriteText writes the map as a grid, workloads down and goroutine counts
// across, with a line saying how to read it; precision is the file's
// target (0 for none). It keeps within LineWidth: the grid is split into
// panels of goroutine counts, and only a column too wide for a panel of its
// own names fewer of a tie's locks ("a ≈ b ≈ c +3").
func (m *WinnerMap) WriteText(b *strings.Builder, precision float64) {
	tie := "≈: a tie (no significant difference"
	if precision > 0 {
		tie += ", or less than ±" + pct(precision)
	}
	tie += ")"
	b.WriteString(wrap(fmt.Sprintf("best lock by %s, baselines excluded; %s", m.Unit, tie), LineWidth, "  ") + "\n")
	head := make([]string, len(m.Columns))
	for j, c := range m.Columns {
		head[j] = m.RowBy + "=" + c
	}
	label := []string{"workload"}
	for _, row := range m.Rows {
		label = append(label, row.Workload)
	}
	var cells [][]string // [column][header, then workloads]
	for n := 3; n >= 1; n-- {
		cells = make([][]string, len(m.Columns))
		for j := range m.Columns {
			cells[j] = []string{head[j]}
			for _, row := range m.Rows {
				text := ""
				if w := row.Cells[j]; w != nil {
					text = tieText(w.Locks, n) + w.Marks()
				}
				cells[j] = append(cells[j], text)
			}
		}
		widest := 0
		for _, c := range cells {
			widest = max(widest, columnWidth(c))
		}
		if columnWidth(label)+len(panelSep)+widest <= LineWidth {
			break
		}
	}
	writePanels(b, label, cells)
	if legend := m.MarkLegend(); legend != "" {
		b.WriteString(wrap(legend, LineWidth, "  ") + "\n")
	}
	if m.FewTrials {
		b.WriteString(wrap(fewTrialsNote, LineWidth, "  ") + "\n")
	}
}

// panelSep separates the columns of a panel.
const panelSep = "   "

func columnWidth(texts []string) int {
	w := 0
	for _, s := range texts {
		w = max(w, utf8.RuneCountInString(s))
	}
	return w
}

// writePanels lays out the label column and as many of the cells' columns
// as fit within LineWidth, then the label column again with the next ones,
// until every column is written. The first text of each column is its
// header.
func writePanels(b *strings.Builder, label []string, cells [][]string) {
	for start := 0; start < len(cells) || start == 0; {
		end, width := start, columnWidth(label)
		for end < len(cells) {
			w := len(panelSep) + columnWidth(cells[end])
			if end > start && width+w > LineWidth {
				break
			}
			width += w
			end++
		}
		var g grid
		lc := g.column("")
		cols := make([]int, end-start)
		for k := range cols {
			cols[k] = g.column(panelSep)
		}
		for r, l := range label {
			line := []gridCell{{col: lc, span: 1, text: l, align: 'l'}}
			for k := range cols {
				line = append(line, gridCell{col: cols[k], span: 1, text: cells[start+k][r], align: 'l'})
			}
			g.add(false, line...)
		}
		g.write(b)
		if end == start {
			break
		}
		start = end
	}
}

// fewTrialsNote warns that a map's ties may be for want of trials.
const fewTrialsNote = "too few trials for a 95% interval in some cells (6 or more are needed): there nothing differs significantly, and ties mean little"

// MarkLegend explains the marks the map uses, "" if none.
func (m *WinnerMap) MarkLegend() string {
	if legend := m.marks.legend("bimodal"); legend != "" {
		return "Marks, on the winners' figures: " + legend
	}
	return ""
}

// legend explains the marks that appear, the winner map's and the compact
// tables' alike, bimodal saying what a bimodal figure shows; "" if none.
func (m winnerMarks) legend(bimodal string) string {
	var parts []string
	if m.disturbed {
		parts = append(parts, markDisturbed+" disturbed trials")
	}
	if m.unconverged {
		parts = append(parts, markUnconverged+" not converged to the precision asked")
	}
	if m.bimodal {
		parts = append(parts, markBimodal+" "+bimodal)
	}
	return strings.Join(parts, ", ")
}

// wrap breaks s into lines of at most width characters at spaces,
// continuing lines with indent.
func wrap(s string, width int, indent string) string {
	if utf8.RuneCountInString(s) <= width {
		return s
	}
	var b strings.Builder
	line := 0
	for i, word := range strings.Fields(s) {
		n := utf8.RuneCountInString(word)
		switch {
		case i == 0:
			if lead := len(s) - len(strings.TrimLeft(s, " ")); lead > 0 {
				b.WriteString(s[:lead])
				line = lead
			}
		case line+1+n > width:
			b.WriteString("\n" + indent)
			line = utf8.RuneCountInString(indent)
		default:
			b.WriteByte(' ')
			line++
		}
		b.WriteString(word)
		line += n
	}
	return b.String()
}
