package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/signal"
	"runtime"
	"strings"
	"syscall"
	"time"

	"github.com/lockbench/lockbench/locks"
	"github.com/lockbench/lockbench/torture"
)

// tortureCmd is lockbench's locktorture: writers hammer the lock with a
// holder check in the critical section; statistics every -stat-interval; the
// run ends SUCCESS (status 0) or FAILURE (status 1).
func tortureCmd(args []string, stdout, _ io.Writer) error {
	fs := newFlagSet("torture")
	lockFlag := fs.String("lock", "all", "lock to torture: all (every sound lock), or a name from lockbench list, busted included")
	gFlag := fs.String("g", "2x", "writer goroutines: a count (8) or a multiple of GOMAXPROCS (4x)")
	duration := fs.Duration("duration", 5*time.Second, "how long to torture each lock")
	statInterval := fs.Duration("stat-interval", time.Second, "how often to print statistics")
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

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	failed := false
	for _, name := range names {
		ops, _ := locks.Lookup(name)
		if !tortureOne(ctx, stdout, ops, gs[0], *duration, *statInterval) {
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

// tortureOne tortures one lock and reports whether it survived.
func tortureOne(ctx context.Context, w io.Writer, ops locks.Ops, writers int, d, every time.Duration) bool {
	prefix := ops.Name + "-torture:"
	fmt.Fprintf(w, "%s lock=%s writers=%d duration=%v GOMAXPROCS=%d\n", prefix, ops.Name, writers, d, runtime.GOMAXPROCS(0))
	ctx, cancel := context.WithTimeout(ctx, d)
	defer cancel()
	r := torture.Run(ctx, ops.New(), torture.Config{
		Writers:       writers,
		StopOnFailure: true,
		StatInterval:  every,
		Stat:          func(r torture.Result) { fmt.Fprintln(w, prefix, statLine(r)) },
	})
	fmt.Fprintln(w, prefix, statLine(r))
	if r.Failed() {
		fmt.Fprintf(w, "%s --- End of test: FAILURE: %d critical sections found another holder, %d updates lost, after %d acquisitions in %v\n",
			prefix, r.Violations, r.Lost, r.Total(), r.Elapsed.Round(time.Millisecond))
		return false
	}
	fmt.Fprintf(w, "%s --- End of test: SUCCESS: %d acquisitions in %v\n", prefix, r.Total(), r.Elapsed.Round(time.Millisecond))
	return true
}

// statLine formats statistics as locktorture does, with its starvation flag
// "???" when the busiest writer did more than twice the least busy one's
// work.
func statLine(r torture.Result) string {
	max, min := r.MaxMin()
	flag := ""
	if max/2 > min {
		flag = " ???"
	}
	return strings.TrimSpace(fmt.Sprintf("Writes:  Total: %d  Max/Min: %d/%d%s  Fail: %d", r.Total(), max, min, flag, r.Violations))
}
