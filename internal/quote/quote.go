// Package quote shortens users' values for error messages and printks, so
// that a megabyte of input never becomes a megabyte of message.
package quote

import "fmt"

// Most is the longest value quoted whole.
const Most = 64

// Short returns s if it is at most Most bytes, else its first Most bytes
// and its length: "xxxx... (1048576 bytes)".
func Short(s string) string {
	if len(s) <= Most {
		return s
	}
	return fmt.Sprintf("%s... (%d bytes)", s[:Most], len(s))
}
