package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"math"
	"os"
	"os/signal"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/schollz/progressbar/v3"
	"golang.org/x/sys/unix"
	"golang.org/x/term"

	"github.com/lockbench/lockbench/bench"
	"github.com/lockbench/lockbench/internal/sample"
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
	csFlag := fs.String("cs", "0", "critical-section work held under the guard, comma list of durations (0,100ns), at most 1ms")
	pathFlag := fs.String("path", "proc", "how the load reaches the counter: "+strings.Join(bench.PathNames(), ", "))
	duration := fs.Duration("duration", 50*time.Millisecond, "length of each trial")
	count := fs.Int("count", 6, "trials of each configuration, interleaved (6 or more gives confidence intervals)")
	warmup := fs.Duration("warmup", 10*time.Millisecond, "load run and thrown away before each trial is measured")
	precision := percentFlag(0.05)
	fs.Var(&precision, "precision", "after -count rounds, add trials until every configuration's 95% interval is within this (5% or 0.05; 0 for none)")
	budget := fs.Duration("budget", 2*time.Minute, "wall time the whole run may take for -precision (the -count rounds always run; 0: no limit)")
	maxInterference := fs.Float64("max-interference", sample.DefaultMaxInterference, "a trial that lost more than this fraction of the machine to other work is run again")
	maxSpeedChange := fs.Float64("max-speed-change", sample.DefaultMaxSpeedChange, "a trial during which the machine ran more than this much slower or faster than usual (0.5: a factor 1.5) is run again")
	tries := fs.Int("tries", 3, "runs of a disturbed trial before it is kept, marked disturbed")
	pin := fs.Bool("pin", false, "bind each goroutine to a CPU of its own where g <= usable CPUs (see BENCHMARKS.md)")
	var stats statsFlag
	fs.Var(&stats, "stats", "keep lock statistics (lock_stat) and report them as units: contended, spins/op, wait-ns... (paths direct and proc); -stats=both runs each lock without and with them, side by side")
	outDir := fs.String("o", "lockbench-results", "output directory for results.txt and report.html")
	format := fs.String("format", "table", "format of the results on stdout: "+strings.Join(reports.Formats, ", ")+" (benchstat: benchstat's full tables)")
	var labels labelFlag
	fs.Var(&labels, "label", "an extra configuration line for the results, key=value (repeatable), e.g. emulation=tcg")
	target := fs.String("target", "", "for -path file: the file to drive, e.g. a real kernel's /proc/counter or a lockbench mount's counter")
	if err := parseFlags(fs, args, stdout); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return usageErrorf("run: unexpected argument %q (flags go before nothing else)", fs.Arg(0))
	}

	cfg := bench.Config{
		Duration: *duration, Count: *count, Target: *target, Labels: labels,
		Warmup: *warmup, Precision: float64(precision), Budget: *budget,
		MaxInterference: *maxInterference, MaxSpeedChange: *maxSpeedChange, Tries: *tries, Pin: *pin,
		Stats: stats == "on", StatsBoth: stats == "both",
	}
	var err error
	if cfg.Paths, err = parsePaths(*pathFlag); err != nil {
		return err
	}
	if slices.Equal(cfg.Paths, []string{"file"}) {
		cfg.Guards, err = parseLabels(*locksFlag)
	} else {
		cfg.Guards, err = parseLocks(*locksFlag)
	}
	if err != nil {
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
	if *tries < 1 {
		return usageErrorf("-tries must be at least 1, not %d", *tries)
	}
	if *warmup < 0 {
		return usageErrorf("-warmup must not be negative, not %v", *warmup)
	}
	if *budget < 0 {
		return usageErrorf("-budget must not be negative, not %v", *budget)
	}
	if !(*maxSpeedChange > 0) || math.IsInf(*maxSpeedChange, 1) {
		return usageErrorf("-max-speed-change must be a positive number, not %v", *maxSpeedChange)
	}
	if !(*maxInterference > 0 && *maxInterference <= 1) {
		return usageErrorf("-max-interference must be a fraction in (0, 1], not %v", *maxInterference)
	}
	if !validFormat(*format) {
		return usageErrorf("-format: unknown format %q (valid: %s)", *format, strings.Join(reports.Formats, ", "))
	}
	if err := cfg.Validate(); err != nil {
		return usageErrorf("%v", err)
	}
	resultsPath := filepath.Join(*outDir, "results.txt")
	htmlPath := filepath.Join(*outDir, "report.html")
	if err := checkWritable(*outDir, resultsPath, htmlPath); err != nil {
		return usageErrorf("-o: %v", err)
	}

	// Everything is checked: from here on files are written.
	if err := os.MkdirAll(*outDir, 0o755); err != nil {
		return usageErrorf("-o: %v", err)
	}
	results, err := os.Create(resultsPath)
	if err != nil {
		return usageErrorf("-o: %v", err)
	}
	cfg.Output = results

	trials := len(cfg.Specs()) * cfg.Count
	fmt.Fprintf(stderr, "lockbench: %d trials of %v after %v of warm-up (%d configurations x %d), at least %v",
		trials, cfg.Duration, cfg.Warmup, trials/cfg.Count, cfg.Count, roughly(time.Duration(trials)*(cfg.Duration+cfg.Warmup)))
	switch {
	case cfg.Precision > 0 && cfg.Budget > 0:
		fmt.Fprintf(stderr, "; then more, up to %v in all, until every configuration is known to ±%s", cfg.Budget, precision)
	case cfg.Precision > 0:
		fmt.Fprintf(stderr, "; then more, with no time limit, until every configuration is known to ±%s", precision)
	}
	fmt.Fprintln(stderr)
	if bar := progressBar(stderr, trials); bar != nil {
		cfg.Progress = func(p bench.Progress) {
			bar.ChangeMax(p.Trials)
			bar.Describe(p.Spec.Name())
			_ = bar.Set(p.Trial - 1)
		}
		defer bar.Finish()
	}

	ctx, stop := interruptContext()
	defer stop()
	started := time.Now()
	done, runErr := bench.Run(ctx, cfg)
	if err := results.Close(); err != nil {
		return err
	}
	if len(done) == 0 {
		// Nothing was measured: no results file with only a header.
		os.Remove(resultsPath)
		if errors.Is(runErr, context.Canceled) {
			return errInterrupted(0)
		}
		if runErr == nil {
			runErr = errors.New("no trial finished")
		}
		return runErr
	}

	// One report: every unit in report.html, and on stdout the table of
	// time per operation, the tutorial's question.
	rep, err := reports.Build([]string{resultsPath}, forLocks())
	if err != nil {
		return err
	}
	if err := rep.Only("sec/op").Write(stdout, *format); err != nil {
		return err
	}
	if err := writeHTMLReport(htmlPath, rep, rep, "lockbench run"); err != nil {
		return err
	}
	reportDisturbance(stderr, done, cfg)
	fmt.Fprintf(stderr, "lockbench: %d trials in %v; wrote %s and %s; every unit: %s report -format table %s\n",
		len(done), roughly(time.Since(started)), resultsPath, htmlPath, selfCommand(), resultsPath)
	if errors.Is(runErr, context.Canceled) {
		return errInterrupted(len(done))
	}
	return runErr
}

// checkWritable checks, before any trial, that the run's output files can
// be written: dir is a directory or can be made, and each file is absent or
// a regular file. Nothing is created.
func checkWritable(dir string, files ...string) error {
	st, err := os.Stat(dir)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		// The nearest existing parent must be a writable directory.
		parent := filepath.Dir(filepath.Clean(dir))
		for {
			pst, perr := os.Stat(parent)
			if perr == nil {
				if !pst.IsDir() {
					return fmt.Errorf("%s is not a directory", parent)
				}
				return unix.Access(parent, unix.W_OK|unix.X_OK)
			}
			if !errors.Is(perr, fs.ErrNotExist) || parent == filepath.Dir(parent) {
				return perr
			}
			parent = filepath.Dir(parent)
		}
	case err != nil:
		return err
	case !st.IsDir():
		return fmt.Errorf("%s is not a directory", dir)
	}
	if err := unix.Access(dir, unix.W_OK|unix.X_OK); err != nil {
		return fmt.Errorf("%s: cannot write there: %v", dir, err)
	}
	for _, f := range files {
		if st, err := os.Stat(f); err == nil && !st.Mode().IsRegular() {
			return fmt.Errorf("%s is not a regular file", f)
		}
	}
	return nil
}

// reportDisturbance says on stderr how many trials were run again, stayed
// disturbed, or ran unpinned.
func reportDisturbance(stderr io.Writer, done []*bench.Result, cfg bench.Config) {
	limits := cfg.Limits()
	var retried, disturbed, unpinned int
	for _, r := range done {
		if r.Tries > 1 {
			retried++
		}
		if limits.Disturbed(r.Disturbance()) {
			disturbed++
		}
		unpinned += r.Unpinned
	}
	if retried > 0 {
		fmt.Fprintf(stderr, "lockbench: %d trials were disturbed and run again\n", retried)
	}
	if disturbed > 0 {
		fmt.Fprintf(stderr, "lockbench: %d trials stayed disturbed after %d tries; the report marks them\n", disturbed, cfg.Tries)
	}
	if unpinned > 0 {
		fmt.Fprintf(stderr, "lockbench: -pin: %d goroutines ran unbound where their CPU refused them\n", unpinned)
	}
}

// interruptContext is the context a run stops on: SIGINT or SIGTERM. The
// first signal ends the run politely, after what is in progress (a
// trial, a torture's drain); a second one kills the process, as signals
// do by default. Tests replace it to interrupt a run at a moment of their
// choosing.
var interruptContext = func() (context.Context, context.CancelFunc) {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	context.AfterFunc(ctx, stop)
	return ctx, stop
}

// errInterrupted is the one way a run reports Ctrl-C, whenever it comes:
// status 1, after the report of whatever finished.
func errInterrupted(finished int) error {
	return fmt.Errorf("interrupted after %d finished trials", finished)
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

// writeHTMLReport writes rep to path, with the charts of charted (rep
// itself when its rows are goroutines and its columns locks).
func writeHTMLReport(path string, rep, charted *reports.Report, title string) error {
	charts, err := reports.Charts(charted)
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

// forLocks is the report that compares locks, with the guards that are not
// locks never named best.
func forLocks() reports.Options {
	opts := reports.ForLocks()
	opts.Baselines = bench.Baselines()
	return opts
}

// statsFlag is -stats: off, on (-stats alone) or both; a boolean (1, true,
// 0, false) is on or off.
type statsFlag string

func (f *statsFlag) String() string   { return string(*f) }
func (f *statsFlag) IsBoolFlag() bool { return true }

func (f *statsFlag) Set(s string) error {
	switch strings.ToLower(s) {
	case "on":
		*f = "on"
	case "off":
		*f = ""
	case "both":
		*f = "both"
	default:
		b, err := strconv.ParseBool(s)
		if err != nil {
			return errors.New("want on, off or both")
		}
		*f = ""
		if b {
			*f = "on"
		}
	}
	return nil
}

// percentFlag is a fraction written as a percentage ("5%") or a fraction
// ("0.05").
type percentFlag float64

func (p percentFlag) String() string {
	return strconv.FormatFloat(100*float64(p), 'g', -1, 64) + "%"
}

func (p *percentFlag) Set(s string) error {
	pct, isPct := strings.CutSuffix(strings.TrimSpace(s), "%")
	v, err := strconv.ParseFloat(pct, 64)
	if err != nil {
		return fmt.Errorf("want a percentage such as 5%% or a fraction such as 0.05, not %q", s)
	}
	if isPct {
		v /= 100
	}
	if !(v >= 0 && v < 1) {
		return fmt.Errorf("want a precision between 0 and 100%%, not %q", s)
	}
	*p = percentFlag(v)
	return nil
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

// roughly rounds a duration for people, never to a misleading 0s: to 10ms
// below a second, to 100ms below a minute, to seconds above.
func roughly(d time.Duration) time.Duration {
	switch {
	case d < time.Second:
		return d.Round(10 * time.Millisecond)
	case d < time.Minute:
		return d.Round(100 * time.Millisecond)
	}
	return d.Round(time.Second)
}
