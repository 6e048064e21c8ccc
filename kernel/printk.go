package kernel

import (
	"fmt"
	"strings"
	"sync"
	"time"
)

// Level is a printk log level, KERN_EMERG (0) to KERN_DEBUG (7).
type Level int

// The printk levels, most severe first, with the kernel's numbering.
const (
	KernEmerg   Level = iota // system is unusable
	KernAlert                // action must be taken immediately
	KernCrit                 // critical conditions
	KernErr                  // error conditions
	KernWarning              // warning conditions
	KernNotice               // normal but significant condition
	KernInfo                 // informational
	KernDebug                // debug-level messages
)

var levelNames = [...]string{"emerg", "alert", "crit", "err", "warn", "notice", "info", "debug"}

// String returns the level's name as dmesg --decode prints it.
func (l Level) String() string {
	if l < KernEmerg || l > KernDebug {
		return fmt.Sprintf("level(%d)", int(l))
	}
	return levelNames[l]
}

// Record is one printk record.
type Record struct {
	Seq   uint64        // 0 for the first record since boot; a gap means records were dropped
	Level Level         // KernEmerg..KernDebug
	Time  time.Duration // since boot
	Text  string        // one line, without the trailing newline
}

// String renders r as dmesg does: "[    3.424143] counter: loaded, lock=ticket".
func (r Record) String() string {
	us := r.Time.Microseconds()
	return fmt.Sprintf("[%5d.%06d] %s", us/1e6, us%1e6, r.Text)
}

// logBuffer is printk's ring buffer. When full, a new record overwrites the
// oldest; the sequence numbers keep counting, so readers see the drop.
type logBuffer struct {
	mu   sync.Mutex
	ring []Record // len(ring) is the capacity
	next uint64   // sequence number of the next record; record s is ring[s%len(ring)]
}

func (b *logBuffer) init(records int) {
	if records < 1 {
		records = 1
	}
	b.ring = make([]Record, records)
	b.next = 0
}

// Printk appends a record to the ring buffer at the given level. The format
// is fmt's; a trailing newline is dropped, as the kernel ends a record there.
func (k *Kernel) Printk(level Level, format string, args ...any) {
	text := strings.TrimSuffix(fmt.Sprintf(format, args...), "\n")
	b := &k.log
	b.mu.Lock()
	defer b.mu.Unlock()
	// The clock is read under the lock so that timestamps follow sequence order.
	b.ring[b.next%uint64(len(b.ring))] = Record{Seq: b.next, Level: level, Time: k.sinceBoot(), Text: text}
	b.next++
}

// LogRecords returns the records in the ring buffer, oldest first. If the
// first one's Seq is not 0, Seq of them were dropped to make room.
func (k *Kernel) LogRecords() []Record {
	b := &k.log
	b.mu.Lock()
	defer b.mu.Unlock()
	n := uint64(len(b.ring))
	first := uint64(0)
	if b.next > n {
		first = b.next - n
	}
	out := make([]Record, 0, b.next-first)
	for s := first; s < b.next; s++ {
		out = append(out, b.ring[s%n])
	}
	return out
}

// showDmesg is /proc/kmsg's Show: the dmesg text, one record per line, as
// of the read at offset 0. (Linux's /proc/kmsg is a stream that each read
// consumes; this one is a snapshot, which is what a shell's `cat` wants.)
func (k *Kernel) showDmesg(buf []byte) []byte {
	for _, line := range k.Dmesg() {
		buf = append(append(buf, line...), '\n')
	}
	return buf
}

// Dmesg returns the ring buffer's lines, oldest first, as dmesg prints them.
// If records were dropped, the first line says how many, as the kernel's
// console does: "** 12 printk messages dropped **".
func (k *Kernel) Dmesg() []string {
	recs := k.LogRecords()
	var lines []string
	if len(recs) > 0 && recs[0].Seq > 0 {
		lines = append(lines, fmt.Sprintf("** %d printk messages dropped **", recs[0].Seq))
	}
	for _, r := range recs {
		lines = append(lines, r.String())
	}
	return lines
}
