package main

import (
	"fmt"
	"io"
	"slices"
	"strings"
	"text/tabwriter"

	"github.com/lockbench/lockbench/bench"
	"github.com/lockbench/lockbench/counter"
	"github.com/lockbench/lockbench/locks"
)

// listCmd prints every lock strategy with its one-line doc, then the
// counter's other guards, the paths and the mixes.
func listCmd(args []string, stdout, _ io.Writer) error {
	fs := newFlagSet("list")
	if err := parseFlags(fs, args, stdout); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return wrongArgs("list", fmt.Sprintf("unexpected argument %q", fs.Arg(0)))
	}
	fmt.Fprintln(stdout, "Locks (run -locks, torture -lock, insmod counter lock=), with their waiting policies;")
	fmt.Fprintln(stdout, "a read (cat, the read mixes) takes an RW lock's read side, a seqlock's none, the others' lock:")
	w := tabwriter.NewWriter(stdout, 0, 4, 2, ' ', 0)
	all := locks.All()
	slices.SortStableFunc(all, func(a, b locks.Ops) int { return cmpBool(a.Broken, b.Broken) }) // broken last
	for _, o := range all {
		var tags []string
		if o.FIFO {
			tags = append(tags, "FIFO")
		}
		switch {
		case o.RW:
			tags = append(tags, "RW: reads share")
		case o.Seq:
			tags = append(tags, "seq: reads take no lock")
		}
		if o.Broken {
			tags = append(tags, "BROKEN: negative control")
		}
		var waits []string
		for i, wt := range o.Waits {
			name := wt.String()
			if i == 0 {
				name += " (default)"
			}
			waits = append(waits, name)
		}
		fmt.Fprintf(w, "  %s\t%s\t%s\t%s\n", o.Name, strings.Join(tags, ", "), strings.Join(waits, ", "), o.Doc)
	}
	w.Flush()
	fmt.Fprintln(stdout, "\nWaiting policies, chosen by a suffix (ticket:park):")
	fmt.Fprintln(w, "  spin\tre-read the lock word; never give the CPU away")
	fmt.Fprintln(w, "  yield\tspin a little, then runtime.Gosched between reads")
	fmt.Fprintln(w, "  park\tspin a little, then sleep; the releaser wakes the next owner (FIFO locks: direct hand-off)")
	w.Flush()
	fmt.Fprintln(stdout, "\nOther counter guards:")
	for _, g := range counter.Stores() {
		fmt.Fprintf(w, "  %s\t%s\n", g, g.Doc())
	}
	w.Flush()
	fmt.Fprintf(stdout, "\nPaths (run -path): %s\n", strings.Join(bench.PathNames(), ", "))
	fmt.Fprintf(stdout, "Mixes (run -mix): %s\n", joinMixes())
	return nil
}

func cmpBool(a, b bool) int {
	switch {
	case a == b:
		return 0
	case a:
		return 1
	}
	return -1
}
