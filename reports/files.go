package reports

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"golang.org/x/perf/benchfmt"
)

// files reads results files as benchfmt.Files does (stdin as "-",
// "label=path", a path given twice labelled path#0 and path#1), with one
// difference: a line longer than benchfmt reads (bufio.MaxScanTokenSize,
// 64 KiB) is skipped with a warning naming its file and line, where
// benchfmt would stop at it with "token too long" and the number of the
// line before it.
type files struct {
	inputs []input
	warn   func(string)

	reader benchfmt.Reader
	file   *os.File // open input; nil between inputs
	err    error
}

type input struct{ path, label string }

func newFiles(paths []string, warn func(string)) *files {
	f := &files{warn: warn}
	if len(paths) == 0 {
		paths = []string{"-"}
	}
	count := map[string]int{}
	for _, p := range paths {
		if _, _, labelled := strings.Cut(p, "="); !labelled {
			count[p]++
		}
	}
	seen := map[string]int{}
	for _, p := range paths {
		in := input{path: p, label: p}
		if label, path, labelled := strings.Cut(p, "="); labelled {
			in = input{path: path, label: label}
		} else if count[p] > 1 {
			in.label = fmt.Sprintf("%s#%d", p, seen[p])
			seen[p]++
		}
		f.inputs = append(f.inputs, in)
	}
	return f
}

// Scan advances to the next record, as benchfmt.Files.Scan does.
func (f *files) Scan() bool {
	for f.err == nil {
		if f.file == nil {
			if len(f.inputs) == 0 {
				return false
			}
			in := f.inputs[0]
			f.inputs = f.inputs[1:]
			if in.path == "-" {
				f.file = os.Stdin
			} else if f.file, f.err = os.Open(in.path); f.err != nil {
				return false
			}
			f.reader.Reset(&lineLimit{r: bufio.NewReaderSize(f.file, bufio.MaxScanTokenSize), name: in.path, warn: f.warn}, in.path, ".file", in.label)
		}
		if f.reader.Scan() {
			return true
		}
		f.err = f.reader.Err()
		if f.file != os.Stdin {
			f.file.Close()
		}
		f.file = nil
	}
	return false
}

func (f *files) Result() benchfmt.Record { return f.reader.Result() }
func (f *files) Err() error              { return f.err }

// Units returns the unit metadata of every file read so far.
func (f *files) Units() benchfmt.UnitMetadataMap { return f.reader.Units() }

// lineLimit passes its input through, line by line, but for lines that do
// not fit r's buffer: each is replaced by an empty line, which keeps the
// line numbers of what follows, and reported to warn.
type lineLimit struct {
	r       *bufio.Reader
	name    string
	warn    func(string)
	line    int    // lines read so far
	pending []byte // the rest of the current line, to be read
}

func (l *lineLimit) Read(p []byte) (int, error) {
	for len(l.pending) == 0 {
		line, err := l.r.ReadSlice('\n')
		if errors.Is(err, bufio.ErrBufferFull) {
			size := len(line)
			for errors.Is(err, bufio.ErrBufferFull) {
				line, err = l.r.ReadSlice('\n')
				size += len(line)
			}
			l.line++
			l.warn(fmt.Sprintf("%s:%d: a line of %s skipped: longer than %d KiB", l.name, l.line, bytesize(size), l.r.Size()/1024))
			line = []byte("\n")
		} else if len(line) > 0 {
			l.line++
		}
		if err != nil && !errors.Is(err, io.EOF) {
			return 0, err
		}
		if len(line) == 0 && err != nil {
			return 0, io.EOF
		}
		l.pending = line
	}
	n := copy(p, l.pending)
	l.pending = l.pending[n:]
	return n, nil
}

// bytesize writes n bytes as people read sizes: 20 MB, 70 KB.
func bytesize(n int) string {
	switch {
	case n >= 1e6:
		return fmt.Sprintf("%.0f MB", float64(n)/1e6)
	case n >= 1e3:
		return fmt.Sprintf("%.0f KB", float64(n)/1e3)
	}
	return fmt.Sprintf("%d bytes", n)
}
