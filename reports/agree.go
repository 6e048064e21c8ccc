package reports

import (
	"fmt"
	"io"
	"slices"
	"strings"
)

// Agreement compares the answers of two reports of the same matrix: row by
// row of their headline (sec/op) tables, whether both name the same best
// column. It is the check of a machine's reproducibility: the same question
// asked twice should get the same answer.
type Agreement struct {
	Rows []AgreementRow `json:"rows"` // rows present in both, in the first report's order
	Same int            `json:"same"` // rows whose bests agree
}

// AgreementRow is one row's best in each report.
type AgreementRow struct {
	Table string `json:"table"` // the table's title
	Row   string `json:"row"`
	A     string `json:"a"` // the first report's best column, or a tie "a ≈ b"
	B     string `json:"b"` // the second report's
	Same  bool   `json:"same"`
}

// Agree compares a's and b's best columns over their headline tables that
// have a best column. Two bests agree when they share a column: a tie that
// includes the other report's best counts as agreement.
func Agree(a, b *Report) Agreement {
	var out Agreement
	for _, ta := range a.Tables {
		if ta.Unit != headlineUnit || ta.Best == nil {
			continue
		}
		i := slices.IndexFunc(b.Tables, func(tb *Table) bool { return tb.Unit == ta.Unit && tb.Title == ta.Title && tb.Best != nil })
		if i < 0 {
			continue
		}
		tb := b.Tables[i]
		for r, row := range ta.Rows {
			k := slices.Index(tb.Rows, row)
			if k < 0 || ta.Best[r] == "" || tb.Best[k] == "" {
				continue
			}
			ar := AgreementRow{Table: ta.Title, Row: ta.rowName(r), A: ta.Best[r], B: tb.Best[k]}
			ar.Same = slices.ContainsFunc(strings.Split(ar.A, TieSeparator), func(n string) bool {
				return slices.Contains(strings.Split(ar.B, TieSeparator), n)
			})
			if ar.Same {
				out.Same++
			}
			out.Rows = append(out.Rows, ar)
		}
	}
	return out
}

// WriteText writes the agreement as a verdict line and the rows that differ.
func (g Agreement) WriteText(w io.Writer, nameA, nameB string) error {
	var b strings.Builder
	if len(g.Rows) == 0 {
		fmt.Fprintf(&b, "reproducibility: %s and %s share no row with a best lock to compare\n", nameA, nameB)
	} else {
		fmt.Fprintf(&b, "reproducibility: %d of %d rows name the same best lock in %s and %s (sec/op; a tie that includes the other's best agrees)\n",
			g.Same, len(g.Rows), nameA, nameB)
	}
	for _, r := range g.Rows {
		if !r.Same {
			where := r.Row
			if r.Table != "" {
				where = r.Table + " " + r.Row
			}
			fmt.Fprintf(&b, "  differ: %s: %s | %s\n", where, r.A, r.B)
		}
	}
	_, err := io.WriteString(w, b.String())
	return err
}
