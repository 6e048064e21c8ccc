// Command lockbench runs the lockbench lab: benchmarks of the counter module
// under every lock, statistical reports, and a locktorture for each lock.
//
//	lockbench [run] [flags]                  benchmark the counter module under each lock (the default)
//	lockbench report [flags] FILE...         compare locks in one results file, or files old -> new (two: same best locks?)
//	lockbench torture [flags]                hammer a lock with holder checks: SUCCESS or FAILURE
//	lockbench list                           the locks, waiting policies, other guards, paths and mixes
//	lockbench mount [flags] DIR              serve the simulated /proc at DIR through FUSE
//	lockbench umount DIR                     detach a lockbench mount at DIR, live or stale
//	lockbench conformance [flags] DIR        run the /proc conformance sequence against DIR
//	lockbench help [COMMAND]                 this list, or a command's usage and flags
//
// Bad input exits with status 2, a torture FAILURE with status 1.
package main

import (
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
)

func main() {
	os.Exit(exitCode(run(os.Args[1:], os.Stdout, os.Stderr), os.Stderr))
}

// command is one subcommand. The table of them is the one description of
// the CLI: it produces `lockbench help`, `lockbench -h`, `help COMMAND`,
// each command's -h, the unknown-command error, and the list in the package
// doc above (a test keeps that list equal to the table's).
type command struct {
	name    string
	args    string // the synopsis after the name: "[flags] FILE..."
	summary string // one line
	run     func(args []string, stdout, stderr io.Writer) error
}

// commands is filled in init: the commands' functions print their usage
// from the table, which would otherwise depend on itself.
var commands []command

func init() {
	commands = []command{
		{"run", "[flags]", "benchmark the counter module under each lock (the default)", runCmd},
		{"report", "[flags] FILE...", "compare locks in one results file, or files old -> new (two: same best locks?)", reportCmd},
		{"torture", "[flags]", "hammer a lock with holder checks: SUCCESS or FAILURE", tortureCmd},
		{"list", "", "the locks, waiting policies, other guards, paths and mixes", listCmd},
		{"mount", "[flags] DIR", "serve the simulated /proc at DIR through FUSE", mountCmd},
		{"umount", "DIR", "detach a lockbench mount at DIR, live or stale", umountCmd},
		{"conformance", "[flags] DIR", "run the /proc conformance sequence against DIR", conformanceCmd},
		{"help", "[COMMAND]", "this list, or a command's usage and flags", helpCmd},
	}
}

func findCommand(name string) (command, bool) {
	for _, c := range commands {
		if c.name == name {
			return c, true
		}
	}
	return command{}, false
}

// synopsis is the command's usage line: "lockbench report [flags] FILE...";
// run, the default, shows that its name may be left out.
func (c command) synopsis() string {
	name := c.name
	if name == "run" {
		name = "[run]"
	}
	return strings.TrimSpace("lockbench " + name + " " + c.args)
}

// run is lockbench with its arguments and output streams.
func run(args []string, stdout, stderr io.Writer) error {
	if len(args) > 0 && (args[0] == "-h" || args[0] == "-help" || args[0] == "--help") {
		return helpCmd(nil, stdout, stderr)
	}
	name, rest := "run", args
	if len(args) > 0 && len(args[0]) > 0 && args[0][0] != '-' {
		name, rest = args[0], args[1:]
	}
	c, ok := findCommand(name)
	if !ok {
		return usageErrorf("unknown command %q (valid: %s)", name, strings.Join(commandNames(), ", "))
	}
	return c.run(rest, stdout, stderr)
}

func commandNames() []string {
	names := make([]string, len(commands))
	for i, c := range commands {
		names[i] = c.name
	}
	return names
}

// helpCmd prints the command list, or with a command's name its usage and
// flags, as `lockbench COMMAND -h` does.
func helpCmd(args []string, stdout, stderr io.Writer) error {
	switch {
	case len(args) == 0:
		fmt.Fprint(stdout, "lockbench benchmarks and tortures kernel-style locks.\n\nUsage:\n")
		fmt.Fprint(stdout, commandList("  "))
		fmt.Fprint(stdout, "\nRun \"lockbench help COMMAND\" or \"lockbench COMMAND -h\" for a command's usage and flags.\n")
		fmt.Fprint(stdout, "Bad input exits with status 2, a torture FAILURE with status 1.\n")
		return nil
	case len(args) > 1:
		return usageErrorf("help: want at most one command (usage: lockbench help [COMMAND])")
	case args[0] == "help":
		fmt.Fprint(stdout, "Usage: lockbench help [COMMAND]\n\nThis list of commands, or a command's usage and flags.\n")
		return nil
	}
	c, ok := findCommand(args[0])
	if !ok {
		return usageErrorf("help: unknown command %q (valid: %s)", args[0], strings.Join(commandNames(), ", "))
	}
	err := c.run([]string{"-h"}, stdout, stderr)
	if err == errHelp {
		return nil
	}
	return err
}

// wrongArgs is the usage error of a command given the wrong arguments:
// "mount: want one directory (usage: lockbench mount [flags] DIR)".
func wrongArgs(name, complaint string) error {
	c, _ := findCommand(name)
	return usageErrorf("%s: %s (usage: %s)", name, complaint, c.synopsis())
}

// commandList is the table as the help and the package doc show it, one
// command a line, each line starting with indent.
func commandList(indent string) string {
	var b strings.Builder
	for _, c := range commands {
		fmt.Fprintf(&b, "%s%-40s %s\n", indent, c.synopsis(), c.summary)
	}
	return b.String()
}

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
