package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/lockbench/lockbench/bench"
	"github.com/lockbench/lockbench/counter"
)

// parseFlags parses a subcommand's flags. -h prints the flags to stdout and
// returns errHelp; a bad flag is a one-line usage error.
func parseFlags(fs *flag.FlagSet, args []string, stdout io.Writer) error {
	fs.SetOutput(io.Discard)
	err := fs.Parse(args)
	switch {
	case errors.Is(err, flag.ErrHelp):
		printUsage(fs, stdout)
		return errHelp
	case err != nil:
		return usageErrorf("%s: %v (see lockbench %s -h)", fs.Name(), err, fs.Name())
	}
	return nil
}

// printUsage prints a command's usage line, from the command table, its
// summary and its flags: what both `lockbench COMMAND -h` and `lockbench
// help COMMAND` print.
func printUsage(fs *flag.FlagSet, w io.Writer) {
	c, _ := findCommand(fs.Name())
	fmt.Fprintf(w, "Usage: %s\n\n%s.\n", c.synopsis(), strings.ToUpper(c.summary[:1])+c.summary[1:])
	hasFlags := false
	fs.VisitAll(func(*flag.Flag) { hasFlags = true })
	if !hasFlags {
		fmt.Fprintln(w, "\nIt takes no flags.")
		return
	}
	fmt.Fprintln(w, "\nFlags:")
	fs.SetOutput(w)
	fs.PrintDefaults()
}

// errHelp ends a command after -h with status 0.
var errHelp = &exitError{code: 0, err: errors.New("help")}

// splitList splits a comma-separated flag value, dropping empty items.
func splitList(s string) []string {
	var out []string
	for _, item := range strings.Split(s, ",") {
		if item = strings.TrimSpace(item); item != "" {
			out = append(out, item)
		}
	}
	return out
}

// parseLocks reads -locks: "all" (every guard of the counter module, the
// tutorial's mutex first: the baseline column) or a comma list of guards,
// each parsed once, here.
func parseLocks(s string) ([]counter.Guard, error) {
	if s == "all" {
		return counter.Guards(), nil
	}
	var guards []counter.Guard
	for _, name := range splitList(s) {
		g, err := counter.ParseGuard(name)
		if err != nil {
			return nil, usageErrorf("-locks: %v", err)
		}
		if g.Broken() { // a negative control for checks, not a guard to measure
			return nil, usageErrorf("-locks: %v", &counter.UnknownGuardError{Name: name})
		}
		// -locks mutex,mutex is one column, as -g 1,1 is one row; so are
		// ticket and ticket:park, its default policy spelled out.
		if !slices.Contains(guards, g) {
			guards = append(guards, g)
		}
	}
	if len(guards) == 0 {
		return nil, usageErrorf("-locks is empty (valid: all, %s)", strings.Join(guardNames(counter.Guards()), ", "))
	}
	return guards, nil
}

// parseLabels reads -locks for path=file, where they only label the
// results: the file's own guard is whatever it is.
func parseLabels(s string) ([]counter.Guard, error) {
	if s == "all" {
		s = "file"
	}
	var guards []counter.Guard
	for _, label := range splitList(s) {
		g, err := counter.ExternalGuard(label)
		if err != nil {
			return nil, usageErrorf("-locks: %v", err)
		}
		guards = append(guards, g)
	}
	if len(guards) == 0 {
		return nil, usageErrorf("-locks is empty (with -path file, labels for the results, e.g. kernel-mutex)")
	}
	return guards, nil
}

func guardNames(guards []counter.Guard) []string {
	out := make([]string, len(guards))
	for i, g := range guards {
		out[i] = g.Name()
	}
	return out
}

// parseGoroutines reads -g: counts (8) or multiples of GOMAXPROCS (4x).
func parseGoroutines(s string) ([]int, error) {
	procs := runtime.GOMAXPROCS(0)
	blank := func(item string) bool { return strings.TrimSpace(item) == "" }
	if !blank(s) && slices.ContainsFunc(strings.Split(s, ","), blank) {
		return nil, usageErrorf("-g: empty item in %q (want counts such as 1,2,8 or multiples of GOMAXPROCS such as 1x,4x)", s)
	}
	var out []int
	for _, item := range splitList(s) {
		mult, isMult := strings.CutSuffix(item, "x")
		n, err := strconv.Atoi(mult)
		if err != nil || n < 1 {
			return nil, usageErrorf("-g: malformed value %q (want a count such as 8 or a multiple of GOMAXPROCS such as 4x)", item)
		}
		if isMult {
			n *= procs
		}
		if !slices.Contains(out, n) {
			out = append(out, n)
		}
	}
	if len(out) == 0 {
		return nil, usageErrorf("-g is empty (want counts such as 1,2,8 or multiples of GOMAXPROCS such as 1x,4x)")
	}
	return out, nil
}

// parseMixes reads -mix: "all" or a comma list.
func parseMixes(s string) ([]bench.Mix, error) {
	if s == "all" {
		return bench.Mixes(), nil
	}
	var out []bench.Mix
	for _, item := range splitList(s) {
		if !slices.Contains(bench.Mixes(), bench.Mix(item)) {
			return nil, usageErrorf("-mix: unknown mix %q (valid: all, %s)", item, joinMixes())
		}
		out = append(out, bench.Mix(item))
	}
	if len(out) == 0 {
		return nil, usageErrorf("-mix is empty (valid: all, %s)", joinMixes())
	}
	return out, nil
}

func joinMixes() string {
	var s []string
	for _, m := range bench.Mixes() {
		s = append(s, string(m))
	}
	return strings.Join(s, ", ")
}

// parseCS reads -cs: a comma list of non-negative durations.
func parseCS(s string) ([]time.Duration, error) {
	var out []time.Duration
	for _, item := range splitList(s) {
		d, err := time.ParseDuration(item)
		if err != nil || d < 0 {
			return nil, usageErrorf("-cs: malformed duration %q (want non-negative durations such as 0,100ns)", item)
		}
		if d > counter.MaxCriticalSection {
			return nil, usageErrorf("-cs: %v is longer than the most, %v (the work cannot be interrupted)", d, counter.MaxCriticalSection)
		}
		out = append(out, d)
	}
	if len(out) == 0 {
		return nil, usageErrorf("-cs is empty (want durations such as 0,100ns)")
	}
	return out, nil
}

// parsePaths reads -path: a comma list of registered paths.
func parsePaths(s string) ([]string, error) {
	out := splitList(s)
	if len(out) == 0 {
		return nil, usageErrorf("-path is empty (valid: %s)", strings.Join(bench.PathNames(), ", "))
	}
	for _, p := range out {
		if _, err := bench.LookupPath(p); err != nil {
			return nil, usageErrorf("-path: unknown path %q (valid: %s)", p, strings.Join(bench.PathNames(), ", "))
		}
	}
	return out, nil
}

// positiveDuration checks a duration flag.
func positiveDuration(name string, d time.Duration) error {
	if d <= 0 {
		return usageErrorf("-%s must be positive, not %v", name, d)
	}
	return nil
}

// newFlagSet returns a subcommand's flag set; parseFlags reports its errors.
func newFlagSet(name string) *flag.FlagSet {
	return flag.NewFlagSet(name, flag.ContinueOnError)
}
