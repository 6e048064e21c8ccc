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
	var readers readersFlag
	fs.Var(&readers, "readers", "reader goroutines, taking the read side (locktorture's nreaders_stress); default 0 for exclusive locks, as many as the writers for RW and seq locks")
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
		if !tortureOne(ctx, stdout, ops, gs[0], readers.of(ops, gs[0]), *duration, *statInterval) {
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
func tortureOne(ctx context.Context, w io.Writer, ops locks.Ops, writers, readers int, d, every time.Duration) bool {
	prefix := ops.Name + "-torture:"
	who := fmt.Sprintf("writers=%d", writers)
	if readers > 0 {
		who += fmt.Sprintf(" readers=%d", readers)
	}
	fmt.Fprintf(w, "%s lock=%s %s duration=%v GOMAXPROCS=%d\n", prefix, ops.Name, who, d, runtime.GOMAXPROCS(0))
	ctx, cancel := context.WithTimeout(ctx, d)
	defer cancel()
	stat := func(r torture.Result) {
		fmt.Fprintln(w, prefix, statLine(r))
		if readers > 0 {
			fmt.Fprintln(w, prefix, readStatLine(r))
		}
	}
	r := torture.Run(ctx, ops.New(), torture.Config{
		Writers:       writers,
		Readers:       readers,
		StopOnFailure: true,
		StatInterval:  every,
		Stat:          stat,
	})
	stat(r)
	if r.Failed() {
		fmt.Fprintf(w, "%s --- End of test: FAILURE: %d critical sections found another holder, %d updates lost, after %d acquisitions in %v\n",
			prefix, r.Violations, r.Lost, r.Total(), r.Elapsed.Round(time.Millisecond))
		return false
	}
	fmt.Fprintf(w, "%s --- End of test: SUCCESS: %d acquisitions in %v\n", prefix, r.Total(), r.Elapsed.Round(time.Millisecond))
	return true
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

// readStatLine formats the readers' statistics as locktorture does.
func readStatLine(r torture.Result) string {
	max, min := r.ReadMaxMin()
	flag := ""
	if max/2 > min {
		flag = " ???"
	}
	return fmt.Sprintf("Reads:  Total: %d  Max/Min: %d/%d%s  Fail: %d", r.ReadTotal(), max, min, flag, r.Violations)
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
