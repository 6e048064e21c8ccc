package fusefs

import "testing"

func TestUnescapeMountinfo(t *testing.T) {
	for in, want := range map[string]string{
		`/tmp/plain`:          "/tmp/plain",
		`/tmp/a\040b`:         "/tmp/a b",
		`/tmp/tab\011nl\012x`: "/tmp/tab\tnl\nx",
		`/tmp/back\134slash`:  `/tmp/back\slash`,
		`/tmp/short\04`:       `/tmp/short\04`,
	} {
		if got := unescapeMountinfo(in); got != want {
			t.Errorf("unescapeMountinfo(%q) = %q, want %q", in, got, want)
		}
	}
}
