package reports

import (
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"strconv"
	"strings"
	"unicode/utf8"
)

// Formats lists the text formats Write accepts. "text", the name of
// "benchstat" before "table" existed, is accepted too.
var Formats = []string{"table", "benchstat", "md", "csv", "json"}

// Write renders the report in a text format: "table" (compact: locks down,
// goroutine counts across, within LineWidth, ending with the winner map),
// "benchstat" (benchstat's tables: a column group per lock, each against
// the first), "md" (Markdown tables), "csv" (one line per cell) or "json"
// (the tables, the winner map and the why sections).
func (r *Report) Write(w io.Writer, format string) error {
	switch format {
	case "table":
		return r.writeCompact(w)
	case "benchstat", "text":
		return r.writeText(w)
	case "md":
		return r.writeMarkdown(w)
	case "csv":
		return r.writeCSV(w)
	case "json":
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		return enc.Encode(struct {
			*Report
			Winners *WinnerMap   `json:"winners,omitempty"`
			Why     []WhySection `json:"why,omitempty"`
		}{r, r.Winners(), r.Why()})
	}
	return fmt.Errorf("reports: unknown format %q (valid: %s)", format, strings.Join(Formats, ", "))
}

func (r *Report) writeText(w io.Writer) error {
	var b strings.Builder
	for _, c := range r.Config {
		fmt.Fprintf(&b, "%s: %s\n", c.Key, c.Value)
	}
	for i, t := range r.Tables {
		if i > 0 || len(r.Config) > 0 {
			b.WriteByte('\n')
		}
		if t.Title != "" {
			b.WriteString(t.Title + "\n")
		}
		t.writeText(&b)
	}
	if sum := r.Summary(); len(sum) > 0 {
		b.WriteByte('\n')
		for _, line := range sum {
			b.WriteString(line + "\n")
		}
	}
	for _, warn := range r.Warnings {
		fmt.Fprintf(&b, "warning: %s\n", warn)
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// grid lays text out in columns, as benchstat's tables are. Every column has
// a separator before it; at group boundaries the separator is drawn as " │ "
// in header lines and left blank in data lines. A header cell may span
// several columns.
type grid struct {
	seps   []string // separator before each column, as data lines show it
	hseps  []string // the same, as header lines show it
	widths []int
	lines  []gridLine
}

type gridLine struct {
	header bool
	cells  []gridCell // in column order
}

type gridCell struct {
	col, span int
	text      string
	align     byte // 'l', 'r' or 'c'
}

// column adds a column with its separator, and returns its index. A
// separator containing "│" is blank in data lines.
func (g *grid) column(sep string) int {
	g.hseps = append(g.hseps, sep)
	g.seps = append(g.seps, strings.ReplaceAll(sep, "│", " "))
	g.widths = append(g.widths, 0)
	return len(g.widths) - 1
}

func (g *grid) add(header bool, cells ...gridCell) {
	for _, c := range cells {
		if c.span == 1 {
			g.widths[c.col] = max(g.widths[c.col], utf8.RuneCountInString(c.text))
		}
	}
	g.lines = append(g.lines, gridLine{header, cells})
}

// spanWidth is the width of columns [col, col+span) and the separators
// between them.
func (g *grid) spanWidth(col, span int) int {
	w := g.widths[col]
	for i := col + 1; i < col+span; i++ {
		w += utf8.RuneCountInString(g.seps[i]) + g.widths[i]
	}
	return w
}

func (g *grid) sep(col int, header bool) string {
	if header {
		return g.hseps[col]
	}
	return g.seps[col]
}

func (g *grid) write(b *strings.Builder) {
	// Widen the first column under a spanning cell that does not fit: it is
	// the right-aligned value, which then sits under its header.
	for _, l := range g.lines {
		for _, c := range l.cells {
			if need := utf8.RuneCountInString(c.text) - g.spanWidth(c.col, c.span); c.span > 1 && need > 0 {
				g.widths[c.col] += need
			}
		}
	}
	for _, l := range g.lines {
		var s strings.Builder
		next := 0
		for col := 0; col < len(g.widths); {
			var c *gridCell
			if next < len(l.cells) && l.cells[next].col == col {
				c = &l.cells[next]
				next++
			}
			s.WriteString(g.sep(col, l.header))
			if c == nil {
				s.WriteString(strings.Repeat(" ", g.widths[col]))
				col++
				continue
			}
			s.WriteString(pad(c.text, g.spanWidth(col, c.span), c.align))
			col += c.span
		}
		b.WriteString(strings.TrimRight(s.String(), " ") + "\n")
	}
}

func pad(s string, width int, align byte) string {
	n := width - utf8.RuneCountInString(s)
	if n <= 0 {
		return s
	}
	switch align {
	case 'r':
		return strings.Repeat(" ", n) + s
	case 'c':
		return strings.Repeat(" ", n/2) + s + strings.Repeat(" ", n-n/2)
	}
	return s + strings.Repeat(" ", n)
}

// writeText lays the table out as benchstat does: per column its value,
// range and notes, and for every column but the baseline its delta against
// the baseline and the test; then the best column per row.
func (t *Table) writeText(b *strings.Builder) {
	var g grid
	label := g.column("")
	type group struct{ value, rng, notes, delta, test int }
	groups := make([]group, len(t.Cols))
	for j := range t.Cols {
		gr := group{value: g.column(" │ ")}
		gr.rng = g.column(" ")
		gr.notes = g.column(" ")
		if j > 0 {
			gr.delta = g.column("  ")
			gr.test = g.column(" ")
		}
		groups[j] = gr
	}
	end := g.column(" │")

	head := []gridCell{{col: label, span: 1}}
	units := []gridCell{{col: label, span: 1}}
	for j, c := range t.Cols {
		gr := groups[j]
		span := 3
		if j > 0 {
			span = 5
		}
		head = append(head, gridCell{col: gr.value, span: span, text: c, align: 'c'})
		units = append(units, gridCell{col: gr.value, span: 3, text: t.Unit, align: 'c'})
		if j > 0 {
			units = append(units, gridCell{col: gr.delta, span: 2, text: "vs base", align: 'l'})
		}
	}
	head = append(head, gridCell{col: end, span: 1})
	units = append(units, gridCell{col: end, span: 1})
	if t.Best != nil {
		units[len(units)-1].text = " best (" + t.Better + " is better)"
	}
	g.add(true, head...)
	g.add(true, units...)

	for i, row := range t.Cells {
		line := []gridCell{{col: label, span: 1, text: t.Rows[i], align: 'l'}}
		for j, c := range row {
			if c == nil {
				continue
			}
			gr := groups[j]
			line = append(line,
				gridCell{col: gr.value, span: 1, text: c.Value, align: 'r'},
				gridCell{col: gr.rng, span: 1, text: c.Range, align: 'l'},
				gridCell{col: gr.notes, span: 1, text: superscripts(c.Notes), align: 'l'})
			if j > 0 && c.Delta != "" {
				line = append(line,
					gridCell{col: gr.delta, span: 1, text: c.Delta, align: 'r'},
					gridCell{col: gr.test, span: 1, text: "(" + c.Test + ")", align: 'l'})
			}
		}
		if t.Best != nil {
			line = append(line, gridCell{col: end, span: 1, text: " " + shortTie(t.Best[i]), align: 'l'})
		}
		g.add(false, line...)
	}
	if t.Geomean != nil {
		line := []gridCell{{col: label, span: 1, text: "geomean", align: 'l'}}
		for j, gm := range t.Geomean {
			gr := groups[j]
			line = append(line,
				gridCell{col: gr.value, span: 1, text: gm.Value, align: 'r'},
				gridCell{col: gr.notes, span: 1, text: superscripts(gm.Notes), align: 'l'})
			if j > 0 {
				line = append(line, gridCell{col: gr.delta, span: 1, text: gm.Delta, align: 'r'})
			}
		}
		g.add(false, line...)
	}
	g.write(b)
	for i, n := range t.Notes {
		fmt.Fprintf(b, "%s %s\n", superscript(i+1), n)
	}
}

// shortTie abbreviates a tie of more than three columns, "a ≈ b ≈ c ≈ 4
// more", to keep a text table's width; the other formats list them all.
func shortTie(best string) string {
	names := strings.Split(best, TieSeparator)
	if len(names) <= 3 {
		return best
	}
	return strings.Join(names[:3], TieSeparator) + fmt.Sprintf("%s%d more", TieSeparator, len(names)-3)
}

func superscripts(idx []int) string {
	s := make([]string, len(idx))
	for i, n := range idx {
		s[i] = superscript(n)
	}
	return strings.Join(s, " ")
}

var superDigits = []rune("⁰¹²³⁴⁵⁶⁷⁸⁹")

func superscript(n int) string {
	var out []rune
	for _, d := range strconv.Itoa(n) {
		out = append(out, superDigits[d-'0'])
	}
	return string(out)
}

func (r *Report) writeMarkdown(w io.Writer) error {
	var b strings.Builder
	if len(r.Config) > 0 {
		b.WriteString("| machine | |\n|---|---|\n")
		for _, c := range r.Config {
			fmt.Fprintf(&b, "| %s | %s |\n", mdEscape(c.Key), mdEscape(c.Value))
		}
	}
	for _, t := range r.Tables {
		title := t.Unit
		if t.Title != "" {
			title += " — " + t.Title
		}
		fmt.Fprintf(&b, "\n### %s\n\n", mdEscape(title))
		header := []string{mdEscape(t.RowBy)}
		align := []string{"---"}
		for j, c := range t.Cols {
			header = append(header, mdEscape(c))
			align = append(align, "--:")
			if j > 0 {
				header = append(header, "vs "+mdEscape(t.Cols[0]))
				align = append(align, "--:")
			}
		}
		if t.Best != nil {
			header = append(header, "best ("+t.Better+" is better)")
			align = append(align, "---")
		}
		b.WriteString("| " + strings.Join(header, " | ") + " |\n")
		b.WriteString("|" + strings.Join(align, "|") + "|\n")
		for i, row := range t.Cells {
			line := []string{mdEscape(t.Rows[i])}
			for j, c := range row {
				switch {
				case c == nil:
					line = append(line, "")
				default:
					line = append(line, c.Value+" "+c.Range+mdNotes(c.Notes))
				}
				if j > 0 {
					if c == nil || c.Delta == "" {
						line = append(line, "")
					} else {
						line = append(line, c.Delta+" ("+c.Test+")")
					}
				}
			}
			if t.Best != nil {
				line = append(line, mdEscape(t.Best[i]))
			}
			b.WriteString("| " + strings.Join(line, " | ") + " |\n")
		}
		if t.Geomean != nil {
			line := []string{"geomean"}
			for j, gm := range t.Geomean {
				line = append(line, gm.Value+mdNotes(gm.Notes))
				if j > 0 {
					line = append(line, gm.Delta)
				}
			}
			if t.Best != nil {
				line = append(line, "")
			}
			b.WriteString("| " + strings.Join(line, " | ") + " |\n")
		}
		if len(t.Notes) > 0 {
			b.WriteByte('\n')
			for i, n := range t.Notes {
				fmt.Fprintf(&b, "%s %s  \n", superscript(i+1), mdEscape(n))
			}
		}
	}
	if sum := r.Summary(); len(sum) > 0 {
		b.WriteString("\n")
		for _, line := range sum {
			if item, ok := strings.CutPrefix(line, "  "); ok {
				fmt.Fprintf(&b, "- %s\n", mdEscape(item))
			} else {
				fmt.Fprintf(&b, "\n%s\n\n", mdEscape(line))
			}
		}
	}
	for _, warn := range r.Warnings {
		fmt.Fprintf(&b, "\n> warning: %s\n", mdEscape(warn))
	}
	_, err := io.WriteString(w, b.String())
	return err
}

func mdNotes(idx []int) string {
	if len(idx) == 0 {
		return ""
	}
	return " " + superscripts(idx)
}

func mdEscape(s string) string {
	return strings.NewReplacer("|", `\|`, "*", `\*`, "_", `\_`).Replace(s)
}

// writeCSV writes one line per cell (and per geomean), long format, so that
// spreadsheets and scripts can pivot it however they like.
func (r *Report) writeCSV(w io.Writer) error {
	cw := csv.NewWriter(w)
	cw.Write([]string{"table", "unit", "row", "col", "center", "lo", "hi", "n", "value", "range", "delta", "p", "test", "notes"})
	f := func(x float64) string { return strconv.FormatFloat(x, 'g', -1, 64) }
	for _, t := range r.Tables {
		for i, row := range t.Cells {
			for j, c := range row {
				if c == nil {
					continue
				}
				var p string
				if j > 0 && c.Delta != "" {
					p = f(c.P)
				}
				cw.Write([]string{t.Title, t.Unit, t.Rows[i], t.Cols[j], f(c.Center), f(float64(c.Lo)), f(float64(c.Hi)),
					strconv.Itoa(c.N), c.Value, c.Range, c.Delta, p, c.Test, noteText(t, c.Notes)})
			}
		}
		for j, gm := range t.Geomean {
			cw.Write([]string{t.Title, t.Unit, "geomean", t.Cols[j], "", "", "", "", gm.Value, "", gm.Delta, "", "", noteText(t, gm.Notes)})
		}
	}
	cw.Flush()
	return cw.Error()
}

func noteText(t *Table, idx []int) string {
	s := make([]string, len(idx))
	for i, n := range idx {
		s[i] = t.Notes[n-1]
	}
	return strings.Join(s, "; ")
}
