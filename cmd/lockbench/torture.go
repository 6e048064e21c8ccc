package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"runtime"
	"strconv"
	"syscall"
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
	longHold := fs.Duration("long-hold", 0, "hold the lock this long, busy, in one writer acquisition of -long-hold-every (locktorture's long_hold); 0: a short spin")
	longHoldEvery := fs.Int("long-hold-every", torture.DefaultLongHoldEvery, "writer acquisitions to one long hold, on average")
	nested := fs.Int("nested", 1, "locks of the strategy each writer acquisition takes, always in one order, each checked (locktorture's nested_locks)")
	acqLimit := fs.Duration("acq-limit", 0, "count writer acquisitions that waited longer, and report the longest with the lock's state (locktorture's acq_writer_lim); 0: off")
	var stall stallFlag
	fs.Var(&stall, "stall", "fail the run when no acquisition completes for this long (a deadlock or livelock); default 5s, or 5 times -long-hold if longer; 0: off")
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
	if err := positiveDuration("duration", *duration); err != nil {
		return err
	}
	if *statInterval < minStatInterval {
		return usageErrorf("-stat-interval must be at least %v, not %v", minStatInterval, *statInterval)
	}
	for _, k := range []struct {
		name string
		d    time.Duration
		min  time.Duration
	}{
		{"stutter", *stutter, time.Millisecond},
		{"shuffle", *shuffle, time.Millisecond},
		{"onoff", *onoff, time.Millisecond},
		{"long-hold", *longHold, time.Nanosecond},
		{"acq-limit", *acqLimit, time.Nanosecond},
	} {
		if k.d < 0 || k.d > 0 && k.d < k.min {
			return usageErrorf("-%s must be 0 (off) or at least %v, not %v", k.name, k.min, k.d)
		}
	}
	if *onoffHoldoff < 0 {
		return usageErrorf("-onoff-holdoff must not be negative, not %v", *onoffHoldoff)
	}
	if *longHoldEvery < 1 {
		return usageErrorf("-long-hold-every must be at least 1, not %d", *longHoldEvery)
	}
	if *nested < 1 || *nested > maxNested {
		return usageErrorf("-nested must be between 1 and %d, not %d", maxNested, *nested)
	}
	cfg := torture.Config{
		Writers: gs[0], StopOnFailure: true, StatInterval: *statInterval,
		Stutter: *stutter, Shuffle: *shuffle, OnOff: *onoff, OnOffHoldoff: *onoffHoldoff,
		LongHold: *longHold, LongHoldEvery: *longHoldEvery, Nested: *nested, AcqLimit: *acqLimit,
		Stall: stall.of(*longHold),
	}
	if cfg.Stall > 0 && cfg.LongHold >= cfg.Stall {
		return usageErrorf("-long-hold (%v) must be shorter than -stall (%v): a long hold would look like a deadlock", cfg.LongHold, cfg.Stall)
	}

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	failed := false
	for _, name := range names {
		ops, _ := locks.Lookup(name)
		cfg.Readers = readers.of(ops, gs[0])
		cfg.NewLock = ops.New
		if !tortureOne(ctx, stdout, ops, cfg, *duration) {
			failed = true
		}
		if ctx.Err() != nil {
			break
		}
	}
	if failed {
		return errFailure
	}
	return nil
}

// minStatInterval is the shortest -stat-interval: statistics more often
// than every 10 ms are a flood, not a report.
const minStatInterval = 10 * time.Millisecond

// maxNested is the most locks -nested takes: beyond it a run measures the
// nesting, not the lock.
const maxNested = 64

// tortureOne tortures one lock for d and reports whether it survived.
func tortureOne(ctx context.Context, w io.Writer, ops locks.Ops, cfg torture.Config, d time.Duration) bool {
	prefix := ops.Name + "-torture:"
	who := fmt.Sprintf("writers=%d", cfg.Writers)
	if cfg.Readers > 0 {
		who += fmt.Sprintf(" readers=%d", cfg.Readers)
	}
	params := fmt.Sprintf("lock=%s %s duration=%v GOMAXPROCS=%d %s", ops.Name, who, d, runtime.GOMAXPROCS(0), cfg.Knobs())
	fmt.Fprintln(w, prefix, params)
	ctx, cancel := context.WithTimeout(ctx, d)
	defer cancel()
	var prev *torture.Result
	cfg.Stat = func(r torture.Result) {
		fmt.Fprintln(w, prefix, statLine(r, prev))
		if cfg.Readers > 0 {
			fmt.Fprintln(w, prefix, readStatLine(r, prev))
		}
		prev = &r
	}
	r := torture.Run(ctx, ops.New(), cfg)
	if prev == nil || r.Total() != prev.Total() || r.ReadTotal() != prev.ReadTotal() || r.Violations != prev.Violations {
		cfg.Stat(r) // the final counts, unless the last statistics were them
	}
	if cfg.AcqLimit > 0 {
		fmt.Fprintf(w, "%s Writes over acq-limit %v: %d", prefix, cfg.AcqLimit, r.OverLimit)
		if r.OverLimit > 0 {
			fmt.Fprintf(w, ", longest %v, lock: %s", r.LongestWait.Round(time.Microsecond), r.LongestState)
		}
		fmt.Fprintln(w)
	}
	if cfg.Stutter > 0 || cfg.Shuffle > 0 || cfg.OnOff > 0 {
		fmt.Fprintf(w, "%s Stutter pauses: %d  Shuffles: %d  GOMAXPROCS changes: %d\n", prefix, r.Pauses, r.Shuffles, r.OnOffs)
	}
	switch {
	case r.Stalled:
		fmt.Fprintf(w, "%s --- End of test: FAILURE: no acquisition for %v: a deadlock or livelock, after %d acquisitions in %v: %s\n",
			prefix, cfg.Stall, r.Total(), r.Elapsed.Round(time.Millisecond), params)
		for _, s := range r.Stuck {
			fmt.Fprintln(w, prefix, "  ", s)
		}
		return false
	case r.Failed():
		fmt.Fprintf(w, "%s --- End of test: FAILURE: %d critical sections found another holder, %d updates lost, after %d acquisitions in %v: %s\n",
			prefix, r.Violations, r.Lost, r.Total(), r.Elapsed.Round(time.Millisecond), params)
		return false
	}
	fmt.Fprintf(w, "%s --- End of test: SUCCESS: %d acquisitions in %v: %s\n", prefix, r.Total(), r.Elapsed.Round(time.Millisecond), params)
	return true
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
	if err != nil || d < 0 || d > 0 && d < 100*time.Millisecond {
		return errors.New("want 0 (off) or a duration of at least 100ms")
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

// readStatLine formats the readers' statistics as locktorture does (see
// statLine).
func readStatLine(r torture.Result, prev *torture.Result) string {
	var before []uint64
	if prev != nil {
		before = prev.Reads
	}
	return countLine("Reads:", r.Reads, before, r)
}

// statLine formats the writers' statistics as locktorture does, with its
// starvation flag "???" when the busiest writer did more than twice the
// least busy one's work, or, since the previous statistics (prev, nil for
// none), one writer completed nothing while another did.
func statLine(r torture.Result, prev *torture.Result) string {
	var before []uint64
	if prev != nil {
		before = prev.Writes
	}
	return countLine("Writes:", r.Writes, before, r)
}

// countLine is one statistics line of r, for the workers' counts (before:
// the previous statistics' counts, nil for none).
func countLine(label string, counts, before []uint64, r torture.Result) string {
	var total uint64
	for _, n := range counts {
		total += n
	}
	max, min := maxMinOf(counts)
	return fmt.Sprintf("%s  Total: %d  Max/Min: %d/%d%s  Fail: %d", label, total, max, min, starved(counts, before, r.Paused), r.Violations)
}

// starved returns " ???" when the counts say a worker starved: max/2 > min
// overall, or, against before (the previous counts, if any), no progress
// by one worker while another made some; a stutter pause (paused) is no
// starvation.
func starved(counts, before []uint64, paused bool) string {
	max, min := maxMinOf(counts)
	if max/2 > min {
		return " ???"
	}
	if len(before) != len(counts) || paused {
		return ""
	}
	var idle, busy bool
	for i, n := range counts {
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
