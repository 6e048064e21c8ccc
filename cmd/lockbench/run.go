package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"time"

	"github.com/schollz/progressbar/v3"
	"golang.org/x/term"

	"github.com/lockbench/lockbench/bench"
	"github.com/lockbench/lockbench/internal/sysinfo"
	"github.com/lockbench/lockbench/reports"
)

// runCmd benchmarks the counter module under each lock: fixed-duration
// trials through bench.Run, results.txt and report.html in the output
// directory, and a comparison table on stdout.
func runCmd(args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("run")
	locksFlag := fs.String("locks", "all", "guards to compare: all, or a comma list (see lockbench list)")
	gFlag := fs.String("g", "1,1x,8x", "goroutines: counts (1,2,8) or multiples of GOMAXPROCS (1x,4x)")
	mixFlag := fs.String("mix", "inc", "operation mixes: all, or a comma list of "+joinMixes())
	csFlag := fs.String("cs", "0", "critical-section work held under the guard, comma list of durations (0,100ns)")
	pathFlag := fs.String("path", "proc", "how the load reaches the counter: "+strings.Join(bench.PathNames(), ", "))
	duration := fs.Duration("duration", 300*time.Millisecond, "length of each trial")
	count := fs.Int("count", 6, "trials of each configuration, interleaved (6 or more gives confidence intervals)")
	outDir := fs.String("o", "lockbench-results", "output directory for results.txt and report.html")
	format := fs.String("format", "text", "format of the table on stdout: "+strings.Join(reports.Formats, ", "))
	var labels labelFlag
	fs.Var(&labels, "label", "an extra configuration line for the results, key=value (repeatable), e.g. emulation=tcg")
	target := fs.String("target", "", "for -path file: the file to drive, e.g. a real kernel's /proc/counter or a lockbench mount's counter")
	if err := parseFlags(fs, args, stdout); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return usageErrorf("run: unexpected argument %q (flags go before nothing else)", fs.Arg(0))
	}

	cfg := bench.Config{Duration: *duration, Count: *count, Target: *target, Labels: labels}
	var err error
	if cfg.Paths, err = parsePaths(*pathFlag); err != nil {
		return err
	}
	if slices.Equal(cfg.Paths, []string{"file"}) {
		// A file's guard is whatever it is: -locks only labels the results.
		cfg.Locks = splitList(*locksFlag)
		if *locksFlag == "all" {
			cfg.Locks = []string{"file"}
		}
	} else if cfg.Locks, err = parseLocks(*locksFlag); err != nil {
		return err
	}
	if *target != "" {
		if _, err := os.Stat(*target); err != nil {
			return usageErrorf("-target: %v", err)
		}
	}
	if cfg.Goroutines, err = parseGoroutines(*gFlag); err != nil {
		return err
	}
	if cfg.Mixes, err = parseMixes(*mixFlag); err != nil {
		return err
	}
	if cfg.CS, err = parseCS(*csFlag); err != nil {
		return err
	}
	if err := positiveDuration("duration", *duration); err != nil {
		return err
	}
	if *count < 1 {
		return usageErrorf("-count must be at least 1, not %d", *count)
	}
	if !slices.Contains(reports.Formats, *format) {
		return usageErrorf("-format: unknown format %q (valid: %s)", *format, strings.Join(reports.Formats, ", "))
	}
	if err := cfg.Validate(); err != nil {
		return usageErrorf("%v", err)
	}

	// Everything is checked: from here on files are written.
	if err := os.MkdirAll(*outDir, 0o755); err != nil {
		return err
	}
	resultsPath := filepath.Join(*outDir, "results.txt")
	results, err := os.Create(resultsPath)
	if err != nil {
		return err
	}
	cfg.Output = results

	trials := len(cfg.Specs()) * cfg.Count
	fmt.Fprintf(stderr, "lockbench: %d trials of %v (%d configurations x %d), about %v\n",
		trials, cfg.Duration, trials/cfg.Count, cfg.Count, (time.Duration(trials) * cfg.Duration).Round(time.Second))
	if bar := progressBar(stderr, trials); bar != nil {
		cfg.Progress = func(p bench.Progress) {
			bar.Describe(p.Spec.Name())
			_ = bar.Set(p.Trial - 1)
		}
		defer bar.Finish()
	}

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	done, runErr := bench.Run(ctx, cfg)
	if err := results.Close(); err != nil {
		return err
	}
	if len(done) == 0 {
		if runErr == nil {
			runErr = errors.New("no trial finished")
		}
		return runErr
	}

	// The table on stdout: time per operation, the tutorial's question.
	opts := reports.ForLocks()
	opts.Filter = ".unit:sec/op"
	table, err := reports.Build([]string{resultsPath}, opts)
	if err != nil {
		return err
	}
	if err := table.Write(stdout, *format); err != nil {
		return err
	}
	htmlPath := filepath.Join(*outDir, "report.html")
	if err := writeHTMLReport(htmlPath, []string{resultsPath}, reports.ForLocks(), "lockbench run"); err != nil {
		return err
	}
	fmt.Fprintf(stderr, "lockbench: wrote %s and %s; every unit: lockbench report %s\n", resultsPath, htmlPath, resultsPath)
	if errors.Is(runErr, context.Canceled) {
		return fmt.Errorf("interrupted: %d of %d trials finished", len(done), trials)
	}
	return runErr
}

// progressBar returns a bar on stderr when it is a terminal, else nil.
func progressBar(stderr io.Writer, trials int) *progressbar.ProgressBar {
	f, ok := stderr.(*os.File)
	if !ok || !term.IsTerminal(int(f.Fd())) {
		return nil
	}
	return progressbar.NewOptions(trials,
		progressbar.OptionSetWriter(stderr),
		progressbar.OptionShowCount(),
		progressbar.OptionSetPredictTime(true),
		progressbar.OptionClearOnFinish(),
		progressbar.OptionSetWidth(30))
}

// writeHTMLReport writes the full report of files, with charts, to path.
func writeHTMLReport(path string, files []string, opts reports.Options, title string) error {
	rep, err := reports.Build(files, opts)
	if err != nil {
		return err
	}
	// Charts need rows by goroutines and columns by lock, whatever the
	// tables' projections.
	chartsFrom := rep
	if opts.Row != "/g" || opts.Col != "/lock" {
		if chartsFrom, err = reports.Build(files, reports.ForLocks()); err != nil {
			return err
		}
	}
	charts, err := reports.Charts(chartsFrom)
	if err != nil {
		return err
	}
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	if err := rep.WriteHTML(f, title, charts); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

// labelFlag collects -label key=value flags.
type labelFlag []sysinfo.Config

func (l *labelFlag) String() string { return fmt.Sprint([]sysinfo.Config(*l)) }

func (l *labelFlag) Set(s string) error {
	k, v, ok := strings.Cut(s, "=")
	if !ok || k == "" {
		return fmt.Errorf("want key=value, not %q", s)
	}
	*l = append(*l, sysinfo.Config{Key: k, Value: v})
	return nil
}
