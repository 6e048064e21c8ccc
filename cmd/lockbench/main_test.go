package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/perf/benchfmt"

	"github.com/lockbench/lockbench/internal/golden"
	"github.com/lockbench/lockbench/locks"
	"github.com/lockbench/lockbench/torture"
)

// lockbench runs the command in-process and returns its exit status and
// output.
func lockbench(args ...string) (code int, stdout, stderr string) {
	var out, errb bytes.Buffer
	code = exitCode(run(args, &out, &errb), &errb)
	return code, out.String(), errb.String()
}

func TestList(t *testing.T) {
	code, out, _ := lockbench("list")
	require.Equal(t, 0, code)
	golden.Check(t, "list.golden", []byte(out))
}

// lockList is the registered sound locks as error messages list them:
// "mcs, mutex, qspin, ...", so that a new strategy needs no edit here.
var lockList = strings.Join(locks.Names(), ", ")

// TestBadInput: a one-line error naming the problem and the choices, exit
// status 2, nothing written.
func TestBadInput(t *testing.T) {
	dir := t.TempDir()
	outDir := filepath.Join(dir, "out")
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"frobnicate"}, `unknown command "frobnicate" (valid: run, report, torture, list, mount, umount, conformance, help)`},
		{[]string{"run", "-locks", "spinny", "-o", outDir}, `-locks: unknown lock "spinny" (valid: ` + lockList + `, atomic, sharded; a lock may take a waiting policy: ticket:park, mcs:spin...)`},
		{[]string{"run", "-locks", "ticket:doze", "-o", outDir}, `-locks: unknown lock "ticket:doze"`},
		{[]string{"run", "-locks", "busted", "-o", outDir}, `-locks: unknown lock "busted"`},
		{[]string{"run", "-g", "1,two", "-o", outDir}, `-g: malformed value "two" (want a count such as 8 or a multiple of GOMAXPROCS such as 4x)`},
		{[]string{"run", "-g", "0", "-o", outDir}, `-g: malformed value "0"`},
		{[]string{"run", "-g", "1,,2", "-o", outDir}, `-g: empty item in "1,,2"`},
		{[]string{"run", "-g", "1,2,", "-o", outDir}, `-g: empty item in "1,2,"`},
		{[]string{"run", "-o", "/proc/version"}, "-o: /proc/version is not a directory"},
		{[]string{"run", "-o", "/proc/version/sub"}, "-o: stat /proc/version/sub: not a directory"},
		{[]string{"run", "-g", "100000", "-o", outDir}, `bench: at most 4096 goroutines, not 100000`},
		{[]string{"run", "-duration", "-1s", "-o", outDir}, "-duration must be positive, not -1s"},
		{[]string{"run", "-count", "0", "-o", outDir}, "-count must be at least 1, not 0"},
		{[]string{"run", "-stats=maybe", "-o", outDir}, `run: invalid boolean value "maybe" for -stats: want on, off or both`},
		{[]string{"run", "-precision", "120%", "-o", outDir}, `run: invalid value "120%" for flag -precision: want a precision between 0 and 100%`},
		{[]string{"run", "-precision", "tight", "-o", outDir}, `run: invalid value "tight" for flag -precision: want a percentage such as 5% or a fraction such as 0.05`},
		{[]string{"run", "-budget", "-1s", "-o", outDir}, "-budget must not be negative, not -1s"},
		{[]string{"run", "-warmup", "-1ms", "-o", outDir}, "-warmup must not be negative, not -1ms"},
		{[]string{"run", "-tries", "0", "-o", outDir}, "-tries must be at least 1, not 0"},
		{[]string{"run", "-max-interference", "0", "-o", outDir}, "-max-interference must be a fraction in (0, 1], not 0"},
		{[]string{"run", "-max-interference", "NaN", "-o", outDir}, "-max-interference must be a fraction in (0, 1], not NaN"},
		{[]string{"run", "-max-speed-change", "NaN", "-o", outDir}, "-max-speed-change must be a positive number, not NaN"},
		{[]string{"run", "-max-speed-change", "Inf", "-o", outDir}, "-max-speed-change must be a positive number, not +Inf"},
		{[]string{"run", "-precision", "NaN", "-o", outDir}, `run: invalid value "NaN" for flag -precision: want a precision between 0 and 100%`},
		{[]string{"run", "-mix", "write50", "-o", outDir}, `-mix: unknown mix "write50" (valid: all, inc, incdec, read50, read90, read99, read100)`},
		{[]string{"run", "-cs", "-5ns", "-o", outDir}, `-cs: malformed duration "-5ns"`},
		{[]string{"run", "-cs", "1h", "-o", outDir}, "-cs: 1h0m0s is longer than the most, 1ms (the work cannot be interrupted)"},
		{[]string{"run", "-path", "nfs", "-o", outDir}, `-path: unknown path "nfs" (valid: direct, file, fuse, fuse-open, proc)`},
		{[]string{"run", "-format", "yaml", "-o", outDir}, `-format: unknown format "yaml" (valid: table, benchstat, md, csv, json)`},
		{[]string{"run", "-bogus", "-o", outDir}, "run: flag provided but not defined: -bogus (see lockbench run -h)"},
		{[]string{"report"}, "report: no results file given"},
		{[]string{"report", filepath.Join(dir, "missing.txt")}, "report: cannot read " + filepath.Join(dir, "missing.txt")},
		{[]string{"report", "-row", "/g@(", "../../reports/testdata/locks.txt"}, `reports: row projection "/g@(": syntax error: missing )`},
		{[]string{"torture", "-lock", "spinny"}, `-lock: locks: unknown lock "spinny" (valid: ` + lockList + `; broken, for checks only: busted, busted-rw)`},
		{[]string{"torture", "-duration", "0s"}, "-duration must be positive, not 0s"},
		{[]string{"torture", "-g", "1,2"}, "-g: torture takes one writer count"},
		{[]string{"torture", "-lock", "busted", "-g", "1"}, "-g: torture needs at least 2 writers: one writer never meets another holder"},
		{[]string{"torture", "-stat-interval", "1ns"}, "-stat-interval must be at least 10ms, not 1ns"},
		{[]string{"torture", "-readers", "-1"}, `torture: invalid value "-1" for flag -readers: want a count of reader goroutines, 0 or more`},
		{[]string{"torture", "-stutter", "-1s"}, "-stutter must be 0 (off) or at least 1ms, not -1s"},
		{[]string{"torture", "-shuffle", "10us"}, "-shuffle must be 0 (off) or at least 1ms, not 10µs"},
		{[]string{"torture", "-onoff", "500us"}, "-onoff must be 0 (off) or at least 1ms, not 500µs"},
		{[]string{"torture", "-onoff-holdoff", "-1s"}, "-onoff-holdoff must not be negative, not -1s"},
		{[]string{"torture", "-long-hold", "-5ms"}, "-long-hold must be 0 (off) or at least 1ns, not -5ms"},
		{[]string{"torture", "-long-hold-every", "0"}, "-long-hold-every must be at least 1, not 0"},
		{[]string{"torture", "-nested", "0"}, "-nested must be between 1 and 64, not 0"},
		{[]string{"torture", "-nested", "65"}, "-nested must be between 1 and 64, not 65"},
		{[]string{"torture", "-acq-limit", "-1ms"}, "-acq-limit must be 0 (off) or at least 1ns, not -1ms"},
		{[]string{"torture", "-stall", "10ms"}, `torture: invalid value "10ms" for flag -stall: want 0 (off) or a duration of at least 100ms`},
		{[]string{"torture", "-stall", "1s", "-long-hold", "2s"}, "-long-hold (2s) must be shorter than the stall limit (1s)"},
		{[]string{"torture", "-g", "1025"}, "-g: torture takes at most 1024 writers, not 1025"},
		{[]string{"torture", "-readers", "5000"}, "-readers must be at most 1024, not 5000"},
		{[]string{"torture", "-onoff-holdoff", "1s"}, "-onoff-holdoff needs onoff"},
		{[]string{"run", "-locks", "seqlock:spin", "-o", outDir}, `-locks: unknown lock "seqlock:spin" (valid: `},
		{[]string{"run", "-path", "file", "-target", "/dev/null", "-locks", "", "-o", outDir}, "-locks is empty (with -path file, labels"},
		{[]string{"list", "extra"}, `list: unexpected argument "extra"`},
	} {
		code, out, errOut := lockbench(tc.args...)
		assert.Equal(t, 2, code, "%v", tc.args)
		assert.Empty(t, out, "%v", tc.args)
		assert.Equal(t, 1, strings.Count(errOut, "\n"), "one line: %q", errOut)
		assert.Contains(t, errOut, "lockbench: "+tc.want, "%v", tc.args)
	}
	_, err := os.Stat(outDir)
	assert.True(t, os.IsNotExist(err), "nothing written for bad input")
}

func TestHelp(t *testing.T) {
	code, out, errOut := lockbench("run", "-h")
	assert.Equal(t, 0, code)
	assert.Contains(t, out, "-locks")
	assert.Empty(t, errOut, "help is not an error")
	code, out, _ = lockbench("help")
	assert.Equal(t, 0, code)
	assert.Contains(t, out, "lockbench report")
}

// TestTortureBustedRW: readers that exclude nobody are caught, within the
// 5 seconds issue 13 allows.
func TestTortureBustedRW(t *testing.T) {
	code, out, _ := lockbench("torture", "-lock", "busted-rw", "-duration", "5s")
	assert.Equal(t, 1, code)
	assert.Contains(t, out, "busted-rw-torture: lock=busted-rw writers=4 readers=4")
	assert.Contains(t, out, "busted-rw-torture: Reads:  Total: ")
	assert.Contains(t, out, "busted-rw-torture: --- End of test: FAILURE")
	assert.Regexp(t, `busted-rw-torture: --- End of test: FAILURE: .* after \d+ acquisitions and \d+ reads in `, out, "the verdict counts the reads")
}

// TestTortureEveryKnob is issue 16's front door: a sound lock under every
// knob at once passes, says what each knob did, and names the knobs in its
// verdict; busted under them all fails within 5 seconds.
func TestTortureEveryKnob(t *testing.T) {
	knobs := []string{"-stutter", "50ms", "-shuffle", "30ms", "-onoff", "40ms", "-onoff-holdoff", "10ms",
		"-long-hold", "1ms", "-long-hold-every", "64", "-nested", "2", "-acq-limit", "5ms", "-stat-interval", "200ms"}
	code, out, errOut := lockbench(append([]string{"torture", "-lock", "ticket:spin", "-g", "4", "-duration", "1s"}, knobs...)...)
	require.Equal(t, 0, code, "%s\n%s", out, errOut)
	verdict := "stutter=50ms shuffle=30ms onoff=40ms onoff-holdoff=10ms long-hold=1ms long-hold-every=64 nested=2 acq-limit=5ms stall=5s"
	assert.Contains(t, out, "ticket:spin-torture: lock=ticket:spin writers=4 duration=1s GOMAXPROCS=")
	assert.Regexp(t, `ticket:spin-torture: --- End of test: SUCCESS: \d+ acquisitions in [0-9.]+m?s: lock=ticket:spin .*`+verdict, out)
	assert.Regexp(t, `ticket:spin-torture: Writes over acq-limit 5ms: \d+`, out)
	assert.Regexp(t, `ticket:spin-torture: Stutter pauses: [1-9]\d*  Shuffles: [1-9]\d*  GOMAXPROCS changes: \d+  Long holds: [1-9]\d*`, out)

	start := time.Now()
	code, out, _ = lockbench(append([]string{"torture", "-lock", "busted", "-g", "4", "-duration", "5s"}, knobs...)...)
	assert.Equal(t, 1, code, out)
	assert.Contains(t, out, "busted-torture: --- End of test: FAILURE: ")
	assert.Contains(t, out, verdict)
	assert.Less(t, time.Since(start), 5*time.Second+time.Second, "the run is bounded by -duration")
}

// TestTortureBusted: the broken lock must end in FAILURE, well within the
// 5 seconds the issue allows (the check usually bites in milliseconds).
func TestTortureBusted(t *testing.T) {
	start := time.Now()
	code, out, _ := lockbench("torture", "-lock", "busted", "-duration", "5s")
	assert.Equal(t, 1, code)
	assert.Contains(t, out, "busted-torture: --- End of test: FAILURE")
	assert.Less(t, time.Since(start), 5*time.Second+time.Second, "the run is bounded by -duration")
}

func TestTortureSound(t *testing.T) {
	code, out, _ := lockbench("torture", "-lock", "ticket", "-g", "3", "-duration", "300ms", "-stat-interval", "100ms")
	assert.Equal(t, 0, code, out)
	assert.Contains(t, out, "ticket-torture: lock=ticket writers=3 duration=300ms")
	assert.Regexp(t, `ticket-torture: Writes:  Total: \d+  Max/Min: \d+/\d+( \?\?\?)?  Fail: 0`, out)
	assert.Contains(t, out, "ticket-torture: --- End of test: SUCCESS")
}

func TestStatLineFlagsStarvation(t *testing.T) {
	var p statPrinter
	assert.Equal(t, "Writes:  Total: 13  Max/Min: 10/3 ???  Fail: 0", p.lines(torture.Result{Writes: []uint64{10, 3}})[0])
	p = statPrinter{}
	assert.Equal(t, "Writes:  Total: 19  Max/Min: 10/9  Fail: 0", p.lines(torture.Result{Writes: []uint64{10, 9}})[0])
	// Since the previous statistics, writer 1 completed nothing while
	// writer 0 did: starved in the interval, though not overall.
	p = statPrinter{prev: &torture.Result{Writes: []uint64{6, 9}}}
	assert.Equal(t, "Writes:  Total: 19  Max/Min: 10/9 ???  Fail: 0", p.lines(torture.Result{Writes: []uint64{10, 9}})[0])
	p = statPrinter{prev: &torture.Result{Writes: []uint64{6, 9}}}
	assert.Equal(t, "Writes:  Total: 19  Max/Min: 10/9  Fail: 0", p.lines(torture.Result{Writes: []uint64{10, 9}, Paused: true, Pauses: 1})[0],
		"a stutter pause is no starvation")
	p = statPrinter{prev: &torture.Result{Writes: []uint64{10, 9}}}
	assert.Equal(t, "Writes:  Total: 19  Max/Min: 10/9  Fail: 0", p.lines(torture.Result{Writes: []uint64{10, 9}})[0],
		"nobody progressed: no one starved another")
	p = statPrinter{readers: true, prev: &torture.Result{Reads: []uint64{4, 3}}}
	assert.Equal(t, "Reads:  Total: 8  Max/Min: 5/3 ???  Fail: 0", p.lines(torture.Result{Reads: []uint64{5, 3}})[1])
}

// TestStatLineAfterAPause (issue 16's review, defect 5): an interval in
// which a pause ended, or began, is no starvation for the workers that
// had not started yet or had stopped; nor is the last line, which covers
// the few milliseconds of the drain.
func TestStatLineAfterAPause(t *testing.T) {
	for _, tc := range []struct {
		name       string
		prev, then torture.Result
	}{
		{"a pause ended", torture.Result{Writes: []uint64{6, 9}, Paused: true, Pauses: 1}, torture.Result{Writes: []uint64{10, 9}, Pauses: 1}},
		{"a pause began", torture.Result{Writes: []uint64{6, 9}, Pauses: 1}, torture.Result{Writes: []uint64{10, 9}, Paused: true, Pauses: 2}},
		{"a whole pause", torture.Result{Writes: []uint64{6, 9}, Pauses: 1}, torture.Result{Writes: []uint64{10, 9}, Pauses: 2}},
	} {
		p := statPrinter{prev: &tc.prev}
		assert.Equal(t, "Writes:  Total: 19  Max/Min: 10/9  Fail: 0", p.lines(tc.then)[0], tc.name)
	}
	p := statPrinter{prev: &torture.Result{Writes: []uint64{6, 9}}}
	assert.Equal(t, "Writes:  Total: 19  Max/Min: 10/9  Fail: 0", p.final(torture.Result{Writes: []uint64{10, 9}})[0],
		"the final line judges the whole run")
	p = statPrinter{prev: &torture.Result{Writes: []uint64{10, 9}}}
	assert.Empty(t, p.final(torture.Result{Writes: []uint64{10, 9}}), "the last statistics were the final counts")
}

// TestStatLineIdleSide: every writer idle while readers read is
// starvation, and the other way round.
func TestStatLineIdleSide(t *testing.T) {
	p := statPrinter{readers: true, prev: &torture.Result{Writes: []uint64{1, 1}, Reads: []uint64{5, 5}}}
	lines := p.lines(torture.Result{Writes: []uint64{1, 1}, Reads: []uint64{9, 9}})
	assert.Equal(t, "Writes:  Total: 2  Max/Min: 1/1 ???  Fail: 0", lines[0], "writers starved by readers")
	assert.Equal(t, "Reads:  Total: 18  Max/Min: 9/9  Fail: 0", lines[1])
	p = statPrinter{readers: true, prev: &torture.Result{Writes: []uint64{1, 1}, Reads: []uint64{5, 5}}}
	lines = p.lines(torture.Result{Writes: []uint64{1, 1}, Reads: []uint64{5, 5}})
	assert.Equal(t, "Writes:  Total: 2  Max/Min: 1/1  Fail: 0", lines[0], "nobody progressed")
}

// TestStatLineFailures: each side's line counts the violations its
// workers found, marked "!!!" as locktorture marks them.
func TestStatLineFailures(t *testing.T) {
	p := statPrinter{readers: true}
	lines := p.lines(torture.Result{Writes: []uint64{5, 5}, Reads: []uint64{5, 5}, Violations: 3, ReadViolations: 1})
	assert.Equal(t, "Writes:  Total: 10  Max/Min: 5/5  Fail: 2 !!!", lines[0])
	assert.Equal(t, "Reads:  Total: 10  Max/Min: 5/5  Fail: 1 !!!", lines[1])
	p = statPrinter{readers: true}
	lines = p.lines(torture.Result{Writes: []uint64{5, 5}, Reads: []uint64{5, 5}, Violations: 1, ReadViolations: 1})
	assert.Equal(t, "Writes:  Total: 10  Max/Min: 5/5  Fail: 0", lines[0], "a reader's finding is the readers'")
}

// TestStatLineOnOff: as in locktorture, the max/min rule is off under
// -onoff, which skews the counts on purpose.
func TestStatLineOnOff(t *testing.T) {
	p := statPrinter{onoff: true}
	assert.Equal(t, "Writes:  Total: 13  Max/Min: 10/3  Fail: 0", p.lines(torture.Result{Writes: []uint64{10, 3}})[0])
}

// TestTortureInterrupted (defect 6): Ctrl-C ends torture as it ends run:
// status 1 and a line that says so, not SUCCESS with status 0.
func TestTortureInterrupted(t *testing.T) {
	saved := interruptContext
	defer func() { interruptContext = saved }()
	interruptContext = func() (context.Context, context.CancelFunc) {
		ctx, cancel := context.WithCancel(context.Background())
		time.AfterFunc(200*time.Millisecond, cancel)
		return ctx, cancel
	}
	code, out, errOut := lockbench("torture", "-lock", "all", "-g", "2", "-duration", "20s")
	assert.Equal(t, 1, code)
	assert.Regexp(t, `-torture: --- End of test: INTERRUPTED: no failure in \d+ acquisitions( and \d+ reads)? in [0-9.]+m?s of 20s: lock=`, out)
	assert.NotContains(t, out, "SUCCESS")
	assert.Regexp(t, `^lockbench: torture: interrupted during \S+, after 0 of \d+ locks\n$`, errOut)
}

// TestTortureOnOffNeedsTwoPs (defect 6): -onoff with one P is refused, not
// run as a no-op.
func TestTortureOnOffNeedsTwoPs(t *testing.T) {
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(1))
	code, out, errOut := lockbench("torture", "-lock", "ticket", "-onoff", "10ms")
	assert.Equal(t, 2, code)
	assert.Empty(t, out)
	assert.Equal(t, "lockbench: -onoff switches GOMAXPROCS between 1 and its value, which is 1: there is no P to take offline\n", errOut)
}

// TestRun runs a small matrix end to end: results.txt in the Go benchmark
// format, report.html, and the comparison table on stdout.
func TestRun(t *testing.T) {
	dir := t.TempDir()
	code, out, errOut := lockbench("run", "-locks", "mutex,ttas,atomic", "-g", "1,2x", "-duration", "20ms", "-warmup", "5ms",
		"-count", "2", "-budget", "1s", "-o", dir)
	require.Equal(t, 0, code, errOut)
	assert.Contains(t, out, "time per operation (sec/op)")
	assert.Contains(t, out, "best lock by sec/op, baselines excluded", "ends with the winner map")
	assert.Contains(t, errOut, "12 trials of 20ms after 5ms of warm-up (6 configurations x 2), at least 300ms",
		"the estimate never rounds to 0s (issue 11, defect 4)")
	assert.Regexp(t, `lockbench: \d+ trials in [1-9][0-9.]*m?s;`, errOut, "nor does the time taken")
	assert.Contains(t, errOut, "up to 1s in all, until every configuration is known to ±5%")
	// With 2 trials a cell has no confidence interval: none converges, and
	// the run says so on stdout.
	assert.Contains(t, out, "not converged: ")
	assert.NotRegexp(t, `(?m)^workload.*\n.*atomic`, out, "atomic is a baseline, never the best")
	assert.Contains(t, out, "atomic ·", "a baseline, marked as one")

	f, err := os.Open(filepath.Join(dir, "results.txt"))
	require.NoError(t, err)
	defer f.Close()
	r := benchfmt.NewReader(f, "results.txt")
	n := 0
	for r.Scan() {
		if res, ok := r.Result().(*benchfmt.Result); ok {
			n++
			assert.Contains(t, string(res.Name), "/path=proc")
			for _, key := range []string{"warmup", "pin", "max-interference", "precision", "budget"} {
				assert.NotEmpty(t, res.GetConfig(key), "configuration line %s", key)
			}
		}
	}
	assert.GreaterOrEqual(t, n, 12, "the -count rounds, and what the budget allowed")
	html, err := os.ReadFile(filepath.Join(dir, "report.html"))
	require.NoError(t, err)
	assert.Contains(t, string(html), `<figure class="chart"`)
}

func TestStatsFlagValues(t *testing.T) {
	for in, want := range map[string]string{"": "on", "on": "on", "ON": "on", "1": "on", "true": "on", "off": "", "0": "", "false": "", "both": "both", "Both": "both"} {
		var f statsFlag
		if in == "" {
			in = "true" // -stats alone: the flag package passes "true" to a bool flag
		}
		require.NoError(t, f.Set(in), in)
		assert.Equal(t, want, string(f), in)
	}
}

// TestRunStats is issue 14's front door: lock statistics as units beside
// the others, their directions in the file, and the report's why section.
func TestRunStats(t *testing.T) {
	dir := t.TempDir()
	code, out, errOut := lockbench("run", "-stats", "-path", "direct", "-locks", "mutex,ticket,tas,atomic", "-g", "1,2",
		"-duration", "20ms", "-warmup", "5ms", "-count", "2", "-precision", "0", "-o", dir)
	require.Equal(t, 0, code, errOut)
	results, err := os.ReadFile(filepath.Join(dir, "results.txt"))
	require.NoError(t, err)
	for _, unit := range []string{"contended", "spins/op", "yields/op", "parks/op", "handoffs/op", "hold-ns"} {
		assert.Contains(t, string(results), " "+unit, "unit %s", unit)
		assert.Contains(t, string(results), "Unit "+unit+" better=lower")
	}
	assert.Contains(t, string(results), "/stats=on-")
	assert.Contains(t, string(results), "lock=atomic/g=1/mix=inc/cs=0/path=direct/stats=on-", "in the locks' tables, though it keeps none")
	assert.Equal(t, 1, strings.Count(out, "time per operation (sec/op)"), "one table per unit, the baseline in it:\n%s", out)
	assert.Contains(t, out, "atomic ·")
	html, err := os.ReadFile(filepath.Join(dir, "report.html"))
	require.NoError(t, err)
	assert.Contains(t, string(html), "Why: lock statistics")
	for _, lock := range []string{"mutex", "ticket:park", "tas:yield"} {
		assert.Contains(t, string(html), "<li>"+lock+" at g=2", "a sentence for %s", lock)
	}

	// -stats=both: each lock without and with, side by side; atomic has no
	// lock and runs once.
	dir = t.TempDir()
	code, _, errOut = lockbench("run", "-stats=both", "-path", "direct", "-locks", "ticket,atomic", "-g", "1",
		"-duration", "5ms", "-warmup", "0", "-count", "1", "-precision", "0", "-o", dir)
	require.Equal(t, 0, code, errOut)
	results, err = os.ReadFile(filepath.Join(dir, "results.txt"))
	require.NoError(t, err)
	assert.Equal(t, 1, strings.Count(string(results), "lock=ticket:park/g=1/mix=inc/cs=0/path=direct/stats=off-"))
	assert.Equal(t, 1, strings.Count(string(results), "lock=ticket:park/g=1/mix=inc/cs=0/path=direct/stats=on-"))
	assert.Equal(t, 1, strings.Count(string(results), "lock=atomic/g=1/mix=inc/cs=0/path=direct/stats=off-"), "atomic keeps none: once")

	code, _, errOut = lockbench("run", "-stats", "-path", "fuse", "-locks", "mutex", "-o", t.TempDir())
	assert.Equal(t, 2, code)
	assert.Contains(t, errOut, "path=fuse keeps no lock statistics")
}

// TestRunWaitPoliciesShareOneTable is issue 11's defect 7: ticket, its
// policies and mutex are columns of one table, and ticket and ticket:park
// (its default) are one column.
func TestRunWaitPoliciesShareOneTable(t *testing.T) {
	dir := t.TempDir()
	code, out, errOut := lockbench("run", "-path", "direct", "-locks", "mutex,ticket,ticket:spin,ticket:park", "-g", "1",
		"-duration", "5ms", "-warmup", "0", "-count", "1", "-precision", "0", "-o", dir)
	require.Equal(t, 0, code, errOut)
	results, err := os.ReadFile(filepath.Join(dir, "results.txt"))
	require.NoError(t, err)
	assert.Equal(t, 1, strings.Count(string(results), "/lock=ticket:park/"), "ticket is ticket:park, measured once")
	assert.Equal(t, 1, strings.Count(string(results), "/lock=ticket:spin/"))
	assert.NotContains(t, string(results), "wait=")
	assert.Equal(t, 1, strings.Count(out, "time per operation (sec/op)"), "one sec/op table:\n%s", out)
	assert.Regexp(t, `(?s)\nmutex\s.*\nticket:park\s.*\nticket:spin\s`, out, "one table with every lock")
}

// TestReportReproducibility: two results files of the same matrix, and how
// many rows name the same best lock.
func TestReportReproducibility(t *testing.T) {
	code, out, errOut := lockbench("report", "../../reports/testdata/judged.txt", "../../reports/testdata/judged.txt")
	require.Equal(t, 0, code, errOut)
	assert.Contains(t, out, "reproducibility: 1 of 1 rows name the same best lock in ../../reports/testdata/judged.txt and ../../reports/testdata/judged.txt")
	assert.NotContains(t, out, "differ:")
}

func TestReport(t *testing.T) {
	code, out, _ := lockbench("report", "-filter", ".unit:sec/op", "../../reports/testdata/locks.txt")
	require.Equal(t, 0, code)
	assert.Contains(t, out, "-92.55% (p=0.008 n=5)")

	html := filepath.Join(t.TempDir(), "r.html")
	code, out, _ = lockbench("report", "-format", "csv", "-html", html, "old=../../reports/testdata/old.txt", "new=../../reports/testdata/new.txt")
	require.Equal(t, 0, code)
	assert.Contains(t, out, "table,unit,row,col,center")
	assert.Contains(t, out, ",new,")
	page, err := os.ReadFile(html)
	require.NoError(t, err)
	assert.Contains(t, string(page), "<h1>lockbench report</h1>")

	// Tables by other projections keep their charts, which plot against
	// goroutines whatever the tables show.
	code, _, errOut := lockbench("report", "-row", "/lock", "-col", "/g", "-html", html, "../../reports/testdata/locks.txt")
	require.Equal(t, 0, code, errOut)
	page, err = os.ReadFile(html)
	require.NoError(t, err)
	assert.Equal(t, 8, strings.Count(string(page), `<figure class="chart"`), "time per operation, throughput, p99 and fairness for each of two mixes")
}

// TestReportNoResults: a file with no benchmark result is an error with
// status 1, not an empty report with status 0 (issue 11, defect 6).
func TestReportNoResults(t *testing.T) {
	empty := filepath.Join(t.TempDir(), "empty.txt")
	require.NoError(t, os.WriteFile(empty, nil, 0o644))
	for _, f := range []string{empty, "/dev/null"} {
		code, out, errOut := lockbench("report", f)
		assert.Equal(t, 1, code, f)
		assert.Empty(t, out)
		assert.Equal(t, "lockbench: reports: no benchmark results in "+f+"\n", errOut)
	}
}

// TestRunInterrupted: Ctrl-C says the same thing whenever it comes, before
// the first trial finishes or after (issue 11, defect 8).
func TestRunInterrupted(t *testing.T) {
	saved := interruptContext
	defer func() { interruptContext = saved }()
	for _, after := range []time.Duration{0, 2 * time.Second} {
		interruptContext = func() (context.Context, context.CancelFunc) {
			ctx, cancel := context.WithCancel(context.Background())
			time.AfterFunc(after, cancel)
			return ctx, cancel
		}
		dir := t.TempDir()
		// Trials of 50ms, 20 s of them: none has finished at 0, some have
		// at 2 s, however loaded the machine.
		code, out, errOut := lockbench("run", "-locks", "mutex", "-g", "1", "-duration", "50ms", "-warmup", "0s",
			"-count", "400", "-precision", "0", "-o", dir)
		assert.Equal(t, 1, code, "after %v", after)
		assert.Regexp(t, `lockbench: interrupted after \d+ finished trials\n$`, errOut, "after %v", after)
		_, err := os.Stat(filepath.Join(dir, "results.txt"))
		if after == 0 {
			assert.Empty(t, out)
			assert.True(t, os.IsNotExist(err), "nothing measured, no results file")
		} else {
			assert.Contains(t, out, "sec/op", "the report of what finished")
			assert.NoError(t, err)
		}
	}
}

// TestRunOutputCheckedFirst: an output directory whose report.html cannot
// be written fails before any trial, with status 2 (issue 11, defect 9).
func TestRunOutputCheckedFirst(t *testing.T) {
	dir := t.TempDir()
	require.NoError(t, os.Mkdir(filepath.Join(dir, "report.html"), 0o755))
	code, out, errOut := lockbench("run", "-locks", "mutex", "-g", "1", "-duration", "20ms", "-count", "1", "-precision", "0", "-o", dir)
	assert.Equal(t, 2, code)
	assert.Empty(t, out)
	assert.Equal(t, "lockbench: -o: "+filepath.Join(dir, "report.html")+" is not a regular file\n", errOut)
	_, err := os.Stat(filepath.Join(dir, "results.txt"))
	assert.True(t, os.IsNotExist(err), "no trial ran")
}

func TestParseLocksDeduplicates(t *testing.T) {
	got, err := parseLocks("mutex,ticket,mutex, ticket,ticket:park")
	require.NoError(t, err)
	assert.Equal(t, []string{"mutex", "ticket:park"}, guardNames(got), "ticket is ticket:park, its default policy")
}
