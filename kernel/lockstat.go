package kernel

import (
	"bytes"
	"cmp"
	"fmt"
	"slices"
	"strings"
	"syscall"

	"github.com/lockbench/lockbench/locks"
)

// /proc/lock_stat, the kernel's lock statistics (CONFIG_LOCK_STAT,
// Documentation/locking/lockstat.rst), in the kernel's format (version 0.4,
// kernel/locking/lockdep_proc.c): one line per lock class and side, sorted
// by contentions, most first; times in µs with two decimals. Writing "0"
// clears every class, as in the kernel; anything else is accepted and
// ignored, as the kernel does.
//
// A module registers a class for a lock whose statistics it keeps
// ([Instance.RegisterLockClass]); the class goes with the module at rmmod.
//
// Where lockbench's figures differ from the kernel's:
//   - Wait and hold times are sampled (see locks.Stats): waittime-total and
//     holdtime-total are the samples' mean times the contentions or
//     acquisitions; min, max and avg are the samples'.
//   - Bounces are not tracked: con-bounces and acq-bounces read 0. The
//     kernel compares the CPU of each acquisition with the last one's; a
//     goroutine's P costs a pin (3 ns here) per acquisition, more than the
//     target overhead of statistics on an uncontended lock.
//   - A class has a line when it has acquisitions or contentions, where the
//     kernel needs a hold time recorded.
//   - No contention points (the call sites under each class).

// lockStatName is the entry's name under /proc.
const lockStatName = "lock_stat"

// LockClass is one lock class of /proc/lock_stat.
type LockClass struct {
	// Name is the class's name, at most 38 bytes shown.
	Name string
	// Snapshot returns the class's statistics.
	Snapshot func() locks.StatSnapshot
	// Reset clears them.
	Reset func()
}

// lockClasses are the registered classes; guarded by Kernel.lockStatMu.
type lockClasses struct {
	classes []*LockClass
}

// RegisterLockClass adds c to /proc/lock_stat until the module is removed.
// A class without a name or functions is EINVAL.
func (m *Instance) RegisterLockClass(c LockClass) error {
	if c.Name == "" || c.Snapshot == nil || c.Reset == nil {
		return syscall.EINVAL
	}
	k := m.k
	k.lockStatMu.Lock()
	defer k.lockStatMu.Unlock()
	k.lockStat.classes = append(k.lockStat.classes, &c)
	m.mu.Lock()
	m.lockClasses = append(m.lockClasses, &c)
	m.mu.Unlock()
	return nil
}

// removeLockClasses drops the module's classes, at rmmod.
func (m *Instance) removeLockClasses() {
	m.mu.Lock()
	mine := m.lockClasses
	m.lockClasses = nil
	m.mu.Unlock()
	k := m.k
	k.lockStatMu.Lock()
	defer k.lockStatMu.Unlock()
	k.lockStat.classes = slices.DeleteFunc(k.lockStat.classes, func(c *LockClass) bool {
		return slices.Contains(mine, c)
	})
}

// lockStatWidth is the width of the separator lines: 40 + 1 + 12*(14+1).
const lockStatWidth = 40 + 1 + 12*(14+1)

// registeredClasses returns the classes registered now.
func (k *Kernel) registeredClasses() []*LockClass {
	k.lockStatMu.Lock()
	defer k.lockStatMu.Unlock()
	return slices.Clone(k.lockStat.classes)
}

// showLockStat is /proc/lock_stat's Show.
func (k *Kernel) showLockStat(buf []byte) []byte {
	classes := k.registeredClasses()

	type row struct {
		name string
		snap locks.StatSnapshot
	}
	rows := make([]row, len(classes))
	for i, c := range classes {
		rows[i] = row{c.Name, c.Snapshot()}
	}
	contentions := func(s *locks.StatSnapshot) uint64 {
		return s.Total(locks.Contentions) + s.Count(locks.Reader, locks.Retries)
	}
	slices.SortStableFunc(rows, func(a, b row) int {
		return -cmp.Compare(contentions(&a.snap), contentions(&b.snap))
	})

	w := bytes.NewBuffer(buf)
	w.WriteString("lock_stat version 0.4\n")
	line := strings.Repeat("-", lockStatWidth) + "\n"
	w.WriteString(line)
	fmt.Fprintf(w, "%40s %14s %14s %14s %14s %14s %14s %14s %14s %14s %14s %14s %14s\n",
		"class name", "con-bounces", "contentions", "waittime-min", "waittime-max",
		"waittime-total", "waittime-avg", "acq-bounces", "acquisitions",
		"holdtime-min", "holdtime-max", "holdtime-total", "holdtime-avg")
	w.WriteString(line)
	w.WriteString("\n")
	first := true
	for _, r := range rows {
		if !used(&r.snap, locks.Writer) && !used(&r.snap, locks.Reader) {
			continue // nothing since the last clear: no line, as in the kernel
		}
		if !first {
			w.WriteString("\n" + strings.Repeat(".", lockStatWidth) + "\n\n")
		}
		first = false
		writeLockClass(w, r.name, &r.snap)
	}
	return w.Bytes()
}

// used reports a side with anything to show.
func used(s *locks.StatSnapshot, side locks.Side) bool {
	return s.Count(side, locks.Acquisitions)+s.Count(side, locks.Contentions)+s.Count(side, locks.Retries) > 0
}

// writeLockClass writes a class's lines: name: for an exclusive lock,
// name-W: and name-R: for one with readers.
func writeLockClass(w *bytes.Buffer, name string, s *locks.StatSnapshot) {
	name = truncate(name, 38)
	hasReaders := used(s, locks.Reader)
	if used(s, locks.Writer) || !hasReaders {
		if hasReaders {
			fmt.Fprintf(w, "%38s-W:", name)
		} else {
			fmt.Fprintf(w, "%40s:", name)
		}
		writeLockSide(w, s, locks.Writer)
	}
	if hasReaders {
		fmt.Fprintf(w, "%38s-R:", name)
		writeLockSide(w, s, locks.Reader)
	}
}

// writeLockSide writes one side's columns, as seq_stats does: con-bounces,
// the wait times, acq-bounces, the hold times.
func writeLockSide(w *bytes.Buffer, s *locks.StatSnapshot, side locks.Side) {
	contentions := s.Count(side, locks.Contentions)
	if side == locks.Reader {
		contentions += s.Count(side, locks.Retries) // a seqlock's readers wait only for writers
	}
	fmt.Fprintf(w, "%14d ", 0)
	writeLockTime(w, contentions, s.Time(side, locks.WaitTime))
	fmt.Fprintf(w, " %14d ", 0)
	writeLockTime(w, s.Count(side, locks.Acquisitions), s.Time(side, locks.HoldTime))
	w.WriteString("\n")
}

// writeLockTime writes seq_lock_time's five columns: the count, then min,
// max, total and average time. The count is the exact number of events;
// the times come from its samples, the total scaled up to the count.
func writeLockTime(w *bytes.Buffer, n uint64, t *locks.TimeStats) {
	fmt.Fprintf(w, "%14d", n)
	total := 0.0
	if t.N > 0 {
		total = t.Mean() * float64(n)
	}
	for _, ns := range []float64{float64(t.Min), float64(t.Max), total, t.Mean()} {
		fmt.Fprintf(w, " %14s", formatLockTime(ns))
	}
}

// formatLockTime writes ns as µs with two decimals, rounded as the
// kernel's snprint_time rounds.
func formatLockTime(ns float64) string {
	n := int64(ns + 0.5)
	n += 5
	return fmt.Sprintf("%d.%02d", n/1000, n%1000/10)
}

// truncate cuts s to n bytes, as the kernel's snprintf into name[39] does.
func truncate(s string, n int) string {
	if len(s) > n {
		return s[:n]
	}
	return s
}

// writeLockStat is /proc/lock_stat's Write: "0" clears every class.
func (k *Kernel) writeLockStat(_ *File, buf []byte, _ *int64) (int, error) {
	if len(buf) > 0 && buf[0] == '0' {
		for _, c := range k.registeredClasses() {
			c.Reset()
		}
	}
	return len(buf), nil
}

// LockStat returns the statistics of the lock class named name, as
// /proc/lock_stat shows them, and false if no loaded module registered it.
func (k *Kernel) LockStat(name string) (locks.StatSnapshot, bool) {
	for _, c := range k.registeredClasses() {
		if c.Name == name {
			return c.Snapshot(), true
		}
	}
	return locks.StatSnapshot{}, false
}

// ClearLockStat clears every class, as writing 0 to /proc/lock_stat does.
func (k *Kernel) ClearLockStat() {
	_, _ = k.writeLockStat(nil, []byte("0"), nil)
}
