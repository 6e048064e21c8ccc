package main

import (
	"fmt"
	"io"
	"os/exec"
	"syscall"

	"github.com/lockbench/lockbench/internal/conformance"
)

// conformanceCmd runs the conformance sequence against the counter and
// hello modules' files in DIR (/proc on a real kernel, or a lockbench mount).
func conformanceCmd(args []string, stdout, _ io.Writer) error {
	fs := newFlagSet("conformance")
	rmmod := fs.String("rmmod", "rmmod counter", "the command that unloads the counter module")
	uid := fs.Int("uid", -1, "run the file operations as this user (e.g. 65534, nobody), regaining root for rmmod; root's CAP_DAC_OVERRIDE would otherwise open read-only entries for writing")
	if err := parseFlags(fs, args, stdout); err != nil {
		return err
	}
	if fs.NArg() != 1 {
		return wrongArgs("conformance", "want one directory")
	}
	sys := dirSystem{rmmod: *rmmod, uid: *uid}
	if err := sys.become(sys.uid); err != nil {
		return err
	}
	defer sys.become(0)
	return conformance.Run(stdout, conformance.Dir{Path: fs.Arg(0), Rmmod: sys.rmmodCounter})
}

// dirSystem is who runs the file operations, and a shell command for rmmod.
type dirSystem struct {
	rmmod string
	uid   int // effective uid for file operations; -1 to keep ours
}

// become sets the effective uid, keeping root as the saved uid so that it
// can be regained. Go applies it to every thread of the process.
func (d dirSystem) become(uid int) error {
	if d.uid < 0 {
		return nil
	}
	if err := syscall.Setresuid(-1, uid, -1); err != nil {
		return fmt.Errorf("conformance: setresuid to %d: %w", uid, err)
	}
	return nil
}

// rmmodCounter runs the rmmod command as root.
func (d dirSystem) rmmodCounter() error {
	if err := d.become(0); err != nil {
		return err
	}
	defer d.become(d.uid)
	return exec.Command("sh", "-c", d.rmmod).Run()
}
