// Package cpuload measures how much of the machine's CPU capacity went to
// something other than this process while a measurement ran: other
// processes, the kernel's work for them, and the hypervisor (steal).
//
// A [Sample] is taken before and after a trial; [Interference] of the two is
//
//	others = (busy - self) / capacity
//
// where, over the interval and summed over every CPU in /proc/stat:
//
//   - capacity is the time of every state (user, nice, system, idle, iowait,
//     irq, softirq, steal; guest time is already inside user and nice);
//   - busy is capacity minus idle and iowait: the time some task ran, or
//     the hypervisor ran something else (steal);
//   - self is this process's CPU time (user and system, getrusage), which
//     includes the Go runtime's own work (GC, scheduler) for the trial.
//
// Limits: /proc/stat counts in USER_HZ ticks (10 ms) and charges a whole tick
// to whoever runs when it fires, so over a 300 ms trial on 2 CPUs (60 ticks)
// a reading is good to about ±0.03; shorter intervals are coarser. It sees
// only what this kernel schedules or is told was stolen: a noisy neighbour
// on the other hyperthread of a physical core, memory-bandwidth contention,
// or a hypervisor that hides steal, all slow a trial down without raising
// the figure.
package cpuload

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// userHZ is the unit of /proc/stat: USER_HZ is 100 on every Linux
// architecture Go supports (the kernel's ABI, not the tick rate CONFIG_HZ).
const userHZ = 100

// Sample is the machine's cumulative CPU time by state, and this process's
// own CPU time, at one moment.
type Sample struct {
	Capacity time.Duration // every state, every CPU
	Idle     time.Duration // idle and iowait, every CPU
	Self     time.Duration // this process's user and system time
}

// Take reads /proc/stat and this process's resource usage.
func Take() (Sample, error) {
	f, err := os.Open("/proc/stat")
	if err != nil {
		return Sample{}, err
	}
	defer f.Close()
	s, err := ParseProcStat(f)
	if err != nil {
		return Sample{}, err
	}
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return Sample{}, fmt.Errorf("cpuload: getrusage: %w", err)
	}
	s.Self = time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
	return s, nil
}

// ParseProcStat reads the aggregate "cpu" line of a /proc/stat file: Capacity
// and Idle; Self is left zero.
func ParseProcStat(r io.Reader) (Sample, error) {
	sc := bufio.NewScanner(r)
	for sc.Scan() {
		fields := bytes.Fields(sc.Bytes())
		if len(fields) == 0 || string(fields[0]) != "cpu" {
			continue
		}
		// user nice system idle iowait irq softirq steal guest guest_nice;
		// kernels before 2.6.33 stop earlier. guest and guest_nice are
		// already counted in user and nice.
		if len(fields) < 5 {
			return Sample{}, fmt.Errorf("cpuload: /proc/stat: short cpu line %q", sc.Text())
		}
		var ticks [8]uint64
		for i := range min(len(fields)-1, len(ticks)) {
			v, err := strconv.ParseUint(string(fields[i+1]), 10, 64)
			if err != nil {
				return Sample{}, fmt.Errorf("cpuload: /proc/stat: bad field %q in %q", fields[i+1], strings.TrimSpace(sc.Text()))
			}
			ticks[i] = v
		}
		var total uint64
		for _, t := range ticks {
			total += t
		}
		const idle, iowait = 3, 4
		return Sample{Capacity: fromTicks(total), Idle: fromTicks(ticks[idle] + ticks[iowait])}, nil
	}
	if err := sc.Err(); err != nil {
		return Sample{}, err
	}
	return Sample{}, errors.New("cpuload: /proc/stat has no aggregate cpu line")
}

func fromTicks(t uint64) time.Duration { return time.Duration(t) * (time.Second / userHZ) }

// Interference returns the fraction of the machine's CPU capacity, between
// before and after, that went to anything but this process: 0 on a quiet
// machine, about 1/3 when one CPU hog shares 2 CPUs with a load that keeps
// both busy, 1/2 when it shares them with a load that keeps one busy. It is
// clamped to [0, 1]; an interval with no capacity reads 0.
func Interference(before, after Sample) float64 {
	capacity := after.Capacity - before.Capacity
	if capacity <= 0 {
		return 0
	}
	busy := capacity - (after.Idle - before.Idle)
	others := busy - (after.Self - before.Self)
	return min(max(float64(others)/float64(capacity), 0), 1)
}

// Window keeps the samples of the last span, so that the interference of an
// interval too short for /proc/stat's 10 ms ticks (a 50 ms trial on 2 CPUs
// is 10 ticks, a resolution of 0.1) can be read over the span that ends
// with it instead: the trial and the moments before it.
type Window struct {
	span    time.Duration
	samples []timedSample // oldest first
}

type timedSample struct {
	at time.Time
	s  Sample
}

// NewWindow returns a window of span.
func NewWindow(span time.Duration) *Window { return &Window{span: span} }

// Add records s, taken at at, and forgets samples no longer needed: those
// older than the newest one at least span before at.
func (w *Window) Add(at time.Time, s Sample) {
	w.samples = append(w.samples, timedSample{at, s})
	keep := 0
	for i, ts := range w.samples {
		if at.Sub(ts.at) >= w.span {
			keep = i
		}
	}
	w.samples = w.samples[keep:]
}

// Interference returns the interference from the newest sample taken at
// least span before end (or the oldest kept, if none is that old) to the
// sample taken at end, which must have been added.
func (w *Window) Interference(end Sample, at time.Time) float64 {
	if len(w.samples) == 0 {
		return 0
	}
	from := w.samples[0]
	for _, ts := range w.samples {
		if at.Sub(ts.at) >= w.span {
			from = ts
		}
	}
	return Interference(from.s, end)
}
