package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"runtime"
	"strconv"
	"time"

	"github.com/lockbench/lockbench/locks"
	"github.com/lockbench/lockbench/torture"
)

// tortureCmd is lockbench's locktorture: writers hammer the lock with a
// holder check in the critical section, under locktorture's knobs if asked
// (stutter, shuffle, CPU hotplug as GOMAXPROCS, long holds, nesting, an
// acquisition limit); statistics every -stat-interval; the run ends
// SUCCESS (status 0) or FAILURE (status 1).
func tortureCmd(args []string, stdout, _ io.Writer) error {
	fs := newFlagSet("torture")
	lockFlag := fs.String("lock", "all", "lock to torture: all (every sound lock), or a name from lockbench list, busted included")
	gFlag := fs.String("g", "2x", "writer goroutines: a count (8) or a multiple of GOMAXPROCS (4x)")
	duration := fs.Duration("duration", 5*time.Second, "how long to torture each lock")
	statInterval := fs.Duration("stat-interval", time.Second, "how often to print statistics")
	var readers readersFlag
	fs.Var(&readers, "readers", "reader goroutines, taking the read side (locktorture's nreaders_stress); default 0 for exclusive locks, as many as the writers for RW and seq locks")
	stutter := fs.Duration("stutter", 0, "run every worker for this long, then pause them all for as long, over and over (locktorture's stutter); 0: off")
	shuffle := fs.Duration("shuffle", 0, "every so often, end each worker's goroutine and start a fresh one, for the scheduler to place anew (locktorture's shuffle_interval); 0: off")
	onoff := fs.Duration("onoff", 0, "every so often, switch GOMAXPROCS between 1 and its value (locktorture's onoff_interval: CPU hotplug); 0: off")
	onoffHoldoff := fs.Duration("onoff-holdoff", 0, "wait this long before the first -onoff change (locktorture's onoff_holdoff)")
	longHold := fs.Duration("long-hold", 0, "hold the lock this long, busy, in one writer acquisition of -long-hold-every, once the lock has run as long without a long hold (locktorture's long_hold); 0: a short spin")
	longHoldEvery := fs.Int("long-hold-every", torture.DefaultLongHoldEvery, "writer acquisitions to one long hold, on average")
	nested := fs.Int("nested", 1, "locks of the strategy each writer acquisition takes, always in one order, each checked (locktorture's nested_locks)")
	acqLimit := fs.Duration("acq-limit", 0, "count writer acquisitions that waited longer, and report the longest with the lock's state (locktorture's acq_writer_lim); 0: off")
	var stall stallFlag
	fs.Var(&stall, "stall", "fail the run when no acquisition completes for this long, or the writers have not left the lock this long after the run (a deadlock or livelock); default 5s, or 5 times -long-hold if longer; 0: off")
	if err := parseFlags(fs, args, stdout); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return usageErrorf("torture: unexpected argument %q", fs.Arg(0))
	}
	names := locks.Names()
	if *lockFlag != "all" {
		if _, err := locks.Lookup(*lockFlag); err != nil {
			return usageErrorf("-lock: %v", err)
		}
		names = []string{*lockFlag}
	}
	gs, err := parseGoroutines(*gFlag)
	if err != nil {
		return err
	}
	if len(gs) != 1 {
		return usageErrorf("-g: torture takes one writer count, not %q", *gFlag)
	}
	if gs[0] < 2 {
		return usageErrorf("-g: torture needs at least 2 writers: one writer never meets another holder, so it cannot catch a broken lock")
	}
	if gs[0] > torture.MaxWorkers {
		return usageErrorf("-g: torture takes at most %d writers, not %d", torture.MaxWorkers, gs[0])
	}
	if err := positiveDuration("duration", *duration); err != nil {
		return err
	}
	if *statInterval < minStatInterval {
		return usageErrorf("-stat-interval must be at least %v, not %v", minStatInterval, *statInterval)
	}
	// Config takes 0 for the defaults of these two; the flags' defaults
	// are shown, and 0 is an error.
	if *longHoldEvery < 1 {
		return usageErrorf("-long-hold-every must be at least 1, not %d", *longHoldEvery)
	}
	if *nested < 1 || *nested > torture.MaxNested {
		return usageErrorf("-nested must be between 1 and %d, not %d", torture.MaxNested, *nested)
	}
	cfg := torture.Config{
		Writers: gs[0], StopOnFailure: true, StatInterval: *statInterval,
		Stutter: *stutter, Shuffle: *shuffle, OnOff: *onoff, OnOffHoldoff: *onoffHoldoff,
		LongHold: *longHold, LongHoldEvery: *longHoldEvery, Nested: *nested, AcqLimit: *acqLimit,
		Stall: stall.of(*longHold),
	}
	ops := make([]locks.Ops, len(names))
	for i, name := range names {
		ops[i], _ = locks.Lookup(name)
		cfg.Readers, cfg.NewLock = readers.of(ops[i], gs[0]), ops[i].New
		// The config's rules are the torture package's, and its knobs are
		// named as the flags are.
		if err := cfg.Validate(); err != nil {
			return usageErrorf("-%v", err)
		}
	}

	ctx, stop := interruptContext()
	defer stop()
	failed := false
	for i, o := range ops {
		cfg.Readers, cfg.NewLock = readers.of(o, gs[0]), o.New
		r := tortureOne(ctx, stdout, o, cfg, *duration)
		failed = failed || r.Failed()
		if ctx.Err() != nil {
			return fmt.Errorf("torture: interrupted during %s, after %d of %d locks", o.Name, i, len(ops))
		}
		if r.Stalled && i+1 < len(ops) {
			// Its stuck goroutines cannot be stopped, and would load the
			// next locks' runs.
			return fmt.Errorf("torture: %s stalled; the %d locks after it were not tortured", o.Name, len(ops)-i-1)
		}
	}
	if failed {
		return errFailure
	}
	return nil
}

// maxStuckLines is how many stuck writers a stalled run describes, one
// line each; a thousand queued writers say nothing more than ten.
const maxStuckLines = 10

// minStatInterval is the shortest -stat-interval: statistics more often
// than every 10 ms are a flood, not a report.
const minStatInterval = 10 * time.Millisecond

// tortureOne tortures one lock for d and returns what it saw. It reports
// SUCCESS, FAILURE, or INTERRUPTED when ctx ended first without a failure.
func tortureOne(ctx context.Context, w io.Writer, ops locks.Ops, cfg torture.Config, d time.Duration) torture.Result {
	prefix := ops.Name + "-torture:"
	who := fmt.Sprintf("writers=%d", cfg.Writers)
	if cfg.Readers > 0 {
		who += fmt.Sprintf(" readers=%d", cfg.Readers)
	}
	params := fmt.Sprintf("lock=%s %s duration=%v GOMAXPROCS=%d %s", ops.Name, who, d, runtime.GOMAXPROCS(0), cfg.Knobs())
	fmt.Fprintln(w, prefix, params)
	run, cancel := context.WithTimeout(ctx, d)
	defer cancel()
	stats := statPrinter{readers: cfg.Readers > 0, onoff: cfg.OnOff > 0}
	emit := func(lines []string) {
		for _, l := range lines {
			fmt.Fprintln(w, prefix, l)
		}
	}
	cfg.Stat = func(r torture.Result) { emit(stats.lines(r)) }
	r := torture.Run(run, ops.New(), cfg)
	emit(stats.final(r))
	if cfg.AcqLimit > 0 {
		fmt.Fprintf(w, "%s Writes over acq-limit %v: %d", prefix, cfg.AcqLimit, r.OverLimit)
		if r.OverLimit > 0 {
			fmt.Fprintf(w, ", longest %v", r.LongestWait.Round(time.Microsecond))
			switch {
			case cfg.Nested > 1:
				fmt.Fprintf(w, ", lock %d of %d", r.LongestLock, cfg.Nested)
			case r.LongestState != "":
				fmt.Fprint(w, ", lock")
			}
			if r.LongestState != "" {
				fmt.Fprintf(w, ": %s", r.LongestState)
			}
		}
		fmt.Fprintln(w)
	}
	if cfg.Stutter > 0 || cfg.Shuffle > 0 || cfg.OnOff > 0 || cfg.LongHold > 0 {
		fmt.Fprintf(w, "%s Stutter pauses: %d  Shuffles: %d  GOMAXPROCS changes: %d  Long holds: %d\n",
			prefix, r.Pauses, r.Shuffles, r.OnOffs, r.LongHolds)
	}
	// "N acquisitions", writers', and "and M reads" where readers ran.
	done := fmt.Sprintf("%d acquisitions", r.Total())
	if cfg.Readers > 0 {
		done += fmt.Sprintf(" and %d reads", r.ReadTotal())
	}
	elapsed := r.Elapsed.Round(time.Millisecond)
	if elapsed == 0 {
		elapsed = r.Elapsed.Round(time.Microsecond)
	}
	switch {
	case r.Stalled:
		what := fmt.Sprintf("no acquisition for %v", cfg.Stall)
		switch {
		case r.StalledSide == "writes":
			what = fmt.Sprintf("no write for %v while the readers went on", cfg.Stall)
		case r.StalledSide == "reads":
			what = fmt.Sprintf("no read for %v while the writers went on", cfg.Stall)
		}
		if r.Draining {
			what = fmt.Sprintf("workers still in the lock %v after the run stopped", cfg.Stall)
		}
		fmt.Fprintf(w, "%s --- End of test: FAILURE: %s: a deadlock or livelock, after %s in %v: %s\n",
			prefix, what, done, elapsed, params)
		for i, s := range r.Stuck {
			if i == maxStuckLines && len(r.Stuck) > maxStuckLines+1 {
				fmt.Fprintf(w, "%s    and %d more writers\n", prefix, len(r.Stuck)-i)
				break
			}
			fmt.Fprintln(w, prefix, "  ", s)
		}
		return r
	case r.Failed():
		fmt.Fprintf(w, "%s --- End of test: FAILURE: %d critical sections found another holder, %d updates lost, after %s in %v: %s\n",
			prefix, r.Violations, r.Lost, done, elapsed, params)
		return r
	case ctx.Err() != nil:
		fmt.Fprintf(w, "%s --- End of test: INTERRUPTED: no failure in %s in %v of %v: %s\n", prefix, done, elapsed, d, params)
		return r
	}
	fmt.Fprintf(w, "%s --- End of test: SUCCESS: %s in %v: %s\n", prefix, done, elapsed, params)
	return r
}

// stallFlag is -stall: a duration, or, unset, the default for the run's
// long holds.
type stallFlag struct {
	d   time.Duration
	set bool
}

// defaultStall is -stall's default: long enough that a sound lock on a
// loaded machine, with GOMAXPROCS at 1 under -onoff and spinning waiters,
// always completes something within it.
const defaultStall = 5 * time.Second

func (f *stallFlag) String() string {
	if !f.set {
		return "auto"
	}
	return f.d.String()
}

func (f *stallFlag) Set(s string) error {
	d, err := time.ParseDuration(s)
	if err != nil || d < 0 || d > 0 && d < torture.MinStall {
		return fmt.Errorf("want 0 (off) or a duration of at least %v", torture.MinStall)
	}
	f.d, f.set = d, true
	return nil
}

// of returns the stall limit: the one given, or the default, longer for
// long holds.
func (f *stallFlag) of(longHold time.Duration) time.Duration {
	if f.set {
		return f.d
	}
	return max(defaultStall, 5*longHold)
}

// readersFlag is -readers: a count, or, unset, the default for each lock.
type readersFlag struct {
	n   int
	set bool
}

func (f *readersFlag) String() string {
	if !f.set {
		return "auto"
	}
	return strconv.Itoa(f.n)
}

func (f *readersFlag) Set(s string) error {
	n, err := strconv.Atoi(s)
	if err != nil || n < 0 {
		return errors.New("want a count of reader goroutines, 0 or more")
	}
	f.n, f.set = n, true
	return nil
}

// of returns the readers for ops: the count given, or as many as the
// writers for a lock with a read side, none for the others.
func (f *readersFlag) of(ops locks.Ops, writers int) int {
	switch {
	case f.set:
		return f.n
	case ops.RW || ops.Seq:
		return writers
	}
	return 0
}

// statPrinter writes a run's statistics lines as locktorture does:
// "Writes:  Total: N  Max/Min: a/b  Fail: 0", and "Reads: ..." when there
// are readers. The starvation flag "???" follows Max/Min when the busiest
// worker did more than twice the least busy one's work (not under -onoff,
// which skews the counts on purpose, as in locktorture), or when, in an
// interval between two periodic lines, a worker completed nothing while
// another, of its side or of the other, did. An interval in which a
// stutter pause began or ended is not judged so (a worker may not have
// started yet, or stopped already); nor is the final line, which covers
// the drain and judges the whole run.
type statPrinter struct {
	readers, onoff bool
	prev           *torture.Result // the last lines' counts; nil before the first
}

// lines returns the periodic lines for r.
func (p *statPrinter) lines(r torture.Result) []string {
	var writes, reads []uint64 // at the interval's start, if it is judged
	var wrote, read bool       // in the interval
	if prev := p.prev; prev != nil && !prev.Paused && !r.Paused && prev.Pauses == r.Pauses {
		writes, reads = prev.Writes, prev.Reads
		wrote, read = r.Total() != prev.Total(), r.ReadTotal() != prev.ReadTotal()
	}
	p.prev = &r
	out := []string{p.countLine("Writes:", r.Writes, writes, read, r.Violations-r.ReadViolations)}
	if p.readers {
		out = append(out, p.countLine("Reads:", r.Reads, reads, wrote, r.ReadViolations))
	}
	return out
}

// final returns the lines for the run's final counts, none if the last
// periodic lines were them.
func (p *statPrinter) final(r torture.Result) []string {
	if last := p.prev; last != nil && r.Total() == last.Total() && r.ReadTotal() == last.ReadTotal() && r.Violations == last.Violations {
		return nil
	}
	p.prev = nil
	return p.lines(r)
}

// countLine is one statistics line, for one side's counts (before: the
// counts at the start of an interval to judge, nil for none; otherBusy:
// the other side progressed in it) and the violations that side found,
// marked "!!!" as locktorture marks them.
func (p *statPrinter) countLine(label string, c, before []uint64, otherBusy bool, violations uint64) string {
	max, min := maxMinOf(c)
	failed := ""
	if violations > 0 {
		failed = " !!!"
	}
	return fmt.Sprintf("%s  Total: %d  Max/Min: %d/%d%s  Fail: %d%s", label, torture.Result{Writes: c}.Total(), max, min, p.starved(c, before, otherBusy), violations, failed)
}

// starved returns " ???" when the counts say a worker starved: max/2 > min
// overall (not under -onoff), or, against before (the counts at the start
// of the interval, if any), no progress by one worker while another, of
// this side or the other (otherBusy), made some.
func (p *statPrinter) starved(c, before []uint64, otherBusy bool) string {
	max, min := maxMinOf(c)
	if max/2 > min && !p.onoff {
		return " ???"
	}
	if len(before) != len(c) {
		return ""
	}
	idle, busy := false, otherBusy
	for i, n := range c {
		if n == before[i] {
			idle = true
		} else {
			busy = true
		}
	}
	if idle && busy {
		return " ???"
	}
	return ""
}

func maxMinOf(counts []uint64) (max, min uint64) {
	return torture.Result{Writes: counts}.MaxMin()
}
