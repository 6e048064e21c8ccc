package hello_test

import (
	"bufio"
	"io"
	"os"
	"strings"
	"syscall"
	"testing"
	"testing/iotest"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/lockbench/lockbench/hello"
	"github.com/lockbench/lockbench/kernel"
)

func TestHello(t *testing.T) {
	k := kernel.New()
	require.NoError(t, k.Insmod("hello"))

	b, err := k.ReadFile("/proc/helloworlddriver")
	require.NoError(t, err)
	assert.Equal(t, "Hello world!\n", string(b))
	assert.Equal(t, hello.Greeting, string(b))

	// The tutorial's Python reader: open, readline, print.
	f, err := k.Open("/proc/helloworlddriver", os.O_RDONLY)
	require.NoError(t, err)
	line, err := bufio.NewReader(f).ReadString('\n')
	require.NoError(t, err)
	assert.Equal(t, "Hello world!\n", line)
	require.NoError(t, f.Close())

	// One byte at a time, then the end: the tutorial's snippet got this wrong.
	f, err = k.Open("/proc/helloworlddriver", os.O_RDONLY)
	require.NoError(t, err)
	got, err := io.ReadAll(iotest.OneByteReader(f))
	require.NoError(t, err)
	assert.Equal(t, "Hello world!\n", string(got))
	require.NoError(t, f.Close())

	_, err = k.Open("/proc/helloworlddriver", os.O_WRONLY)
	assert.ErrorIs(t, err, syscall.EACCES, "the greeting is read-only")

	require.NoError(t, k.Rmmod("hello"))
	dmesg := strings.Join(k.Dmesg(), "\n")
	assert.Contains(t, dmesg, "hello: Hello world driver loaded.")
	assert.Contains(t, dmesg, "hello: calling our very own custom read method.")
	assert.Contains(t, dmesg, "hello: Goodbye my friend, I shall miss you dearly...")
	_, err = k.Open("/proc/helloworlddriver", os.O_RDONLY)
	assert.ErrorIs(t, err, syscall.ENOENT)
}
