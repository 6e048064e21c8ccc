package main

import (
	"errors"
	"fmt"
	"io"
	"os"
	"slices"
	"strings"

	"github.com/lockbench/lockbench/reports"
)

// reportCmd compares benchmark files: locks within one file, or files old to
// new as benchstat does.
func reportCmd(args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("report")
	row := fs.String("row", "", "split rows by this benchproc projection (default /g for one file, .fullname for several)")
	col := fs.String("col", "", "split columns by this projection; the first column is the baseline (default /lock, or .file)")
	table := fs.String("table", "", "split tables by this projection (default .config and the workload keys, or .config)")
	filter := fs.String("filter", "", "use only results matching this benchproc filter, e.g. '.unit:sec/op /g:8'")
	format := fs.String("format", "benchstat", "output format: "+strings.Join(reports.Formats, ", ")+" (table: locks down, goroutine counts across, and the winner map, as lockbench run prints)")
	html := fs.String("html", "", "also write a self-contained HTML report with charts to this file")
	if err := parseFlags(fs, args, stdout); err != nil {
		return err
	}
	files := fs.Args()
	if len(files) == 0 {
		return wrongArgs("report", "no results file given")
	}
	if !validFormat(*format) {
		return usageErrorf("-format: unknown format %q (valid: %s)", *format, strings.Join(reports.Formats, ", "))
	}
	for _, name := range files {
		path := name
		if _, p, ok := strings.Cut(name, "="); ok {
			path = p // label=path
		}
		f, err := os.Open(path)
		if err != nil {
			return usageErrorf("report: cannot read %s: %v", path, err)
		}
		f.Close()
	}

	opts := forLocks()
	if len(files) > 1 {
		opts = reports.ForFiles()
	}
	for _, o := range []struct {
		dst *string
		val string
	}{{&opts.Row, *row}, {&opts.Col, *col}, {&opts.Table, *table}, {&opts.Filter, *filter}} {
		if o.val != "" {
			*o.dst = o.val
		}
	}
	rep, err := reports.Build(files, opts)
	var empty *reports.NoResultsError
	if errors.As(err, &empty) {
		return err // status 1: the input is wrong, not the command line
	}
	if err != nil {
		// benchproc points at a syntax error on further lines; one is enough.
		line, _, _ := strings.Cut(err.Error(), "\n")
		return usageErrorf("%s", line)
	}
	if *html != "" {
		charted := rep
		if opts.Row != "/g" || opts.Col != "/lock" {
			// Charts plot units against goroutines, one line per lock,
			// whatever projections the tables use: those need their own
			// grouping.
			if charted, err = reports.Build(files, forLocks()); err != nil {
				return err
			}
		}
		if err := writeHTMLReport(*html, rep, charted, "lockbench report"); err != nil {
			return err
		}
	}
	if !textFormat(*format) {
		// Text shows the warnings itself; other formats keep stdout clean.
		for _, w := range rep.Warnings {
			fmt.Fprintf(stderr, "lockbench: warning: %s\n", w)
		}
	}
	if err := rep.Write(stdout, *format); err != nil {
		return err
	}
	if len(files) == 2 {
		// Beside the text; on stderr where stdout is md, CSV or JSON.
		w := stdout
		if !textFormat(*format) {
			w = stderr
		}
		return writeAgreement(w, files)
	}
	return nil
}

// validFormat reports whether format is one of reports.Formats, or "text",
// benchstat's old name.
func validFormat(format string) bool {
	return slices.Contains(reports.Formats, format) || format == "text"
}

// textFormat reports whether format is for people (a table or benchstat's
// tables), where warnings and asides belong on stdout.
func textFormat(format string) bool {
	return format == "table" || format == "benchstat" || format == "text"
}

// writeAgreement says how many rows of two results files of the same
// matrix name the same best lock: whether the machine reproduces its
// answers.
func writeAgreement(stdout io.Writer, files []string) error {
	var reps [2]*reports.Report
	for i, f := range files {
		var err error
		if reps[i], err = reports.Build([]string{f}, forLocks()); err != nil {
			return err
		}
	}
	fmt.Fprintln(stdout)
	return reports.Agree(reps[0], reps[1]).WriteText(stdout, files[0], files[1])
}
