// Command lockbench runs the lockbench lab: benchmarks of the counter module
// under every lock, statistical reports, and a locktorture for each lock.
//
//	lockbench                    same as lockbench run
//	lockbench run [flags]        benchmark the locks; writes results.txt and report.html
//	lockbench report FILE...     compare locks in one file, or files old -> new
//	                             (two files: also whether they name the same best locks)
//	lockbench torture [flags]    hammer a lock and check it: SUCCESS or FAILURE
//	lockbench list               the locks and the counter's other guards
//	lockbench mount DIR          serve the simulated /proc at DIR through FUSE
//	lockbench umount DIR         detach a mount at DIR, live or stale
//
// Bad input exits with status 2, a torture FAILURE with status 1.
package main

import (
	"errors"
	"fmt"
	"io"
	"os"
)

func main() {
	os.Exit(exitCode(run(os.Args[1:], os.Stdout, os.Stderr), os.Stderr))
}

// run is lockbench with its arguments and output streams.
func run(args []string, stdout, stderr io.Writer) error {
	cmd, rest := "run", args
	if len(args) > 0 && len(args[0]) > 0 && args[0][0] != '-' {
		cmd, rest = args[0], args[1:]
	}
	switch cmd {
	case "run":
		return runCmd(rest, stdout, stderr)
	case "report":
		return reportCmd(rest, stdout, stderr)
	case "torture":
		return tortureCmd(rest, stdout, stderr)
	case "list":
		return listCmd(rest, stdout, stderr)
	case "mount":
		return mountCmd(rest, stdout, stderr)
	case "umount":
		return umountCmd(rest, stdout, stderr)
	case "conformance":
		return conformanceCmd(rest, stdout, stderr)
	case "help":
		fmt.Fprint(stdout, usage)
		return nil
	}
	return usageErrorf("unknown command %q (valid: run, report, torture, list, mount, umount, conformance, help)", cmd)
}

const usage = `lockbench benchmarks and tortures kernel-style locks.

Usage:
  lockbench [run] [flags]       benchmark the counter module under each lock (the default)
  lockbench report [flags] FILE...
                                compare locks in one results file, or files old -> new;
                                two files of one matrix: do they name the same best locks?
  lockbench torture [flags]     hammer a lock with holder checks: SUCCESS or FAILURE
  lockbench list                the locks and the counter's other guards

Run "lockbench COMMAND -h" for a command's flags.
`

// exitError carries the status an error exits with.
type exitError struct {
	code int
	err  error
}

func (e *exitError) Error() string { return e.err.Error() }
func (e *exitError) Unwrap() error { return e.err }

// usageErrorf reports bad input: status 2, nothing written.
func usageErrorf(format string, args ...any) error {
	return &exitError{code: 2, err: fmt.Errorf(format, args...)}
}

// errFailure is a torture FAILURE, already reported: status 1.
var errFailure = &exitError{code: 1, err: errors.New("FAILURE")}

// exitCode prints err, if any, as one line and returns the exit status.
func exitCode(err error, stderr io.Writer) int {
	if err == nil {
		return 0
	}
	var e *exitError
	if errors.As(err, &e) {
		// A FAILURE was reported already, and help is not an error.
		if e != errFailure && e.code != 0 {
			fmt.Fprintf(stderr, "lockbench: %v\n", e.err)
		}
		return e.code
	}
	fmt.Fprintf(stderr, "lockbench: %v\n", err)
	return 1
}
