package fusefs_test

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/lockbench/lockbench/internal/testenv"

	"github.com/lockbench/lockbench/internal/fusechild"
)

// mounted mounts a kernel with counter and hello, served by a child
// process: a test must never do I/O to a mount it serves itself.
func mounted(t *testing.T) (*fusechild.Mount, string) {
	t.Helper()
	testenv.RequireFuse(t)
	m, err := fusechild.Start(fusechild.Module{Name: "counter", Params: []string{"lock=ticket"}}, fusechild.Module{Name: "hello"})
	require.NoError(t, err)
	t.Cleanup(func() {
		assert.NoError(t, m.Close())
		assert.NotContains(t, mounts(t), " "+m.Dir+" ", "no mount is left behind")
	})
	return m, m.Dir
}

func mounts(t *testing.T) string {
	b, err := os.ReadFile("/proc/self/mounts")
	require.NoError(t, err)
	return string(b)
}

// sh runs a shell command and returns its stdout, stderr and exit code.
func sh(t *testing.T, script string) (string, string, int) {
	t.Helper()
	var out, errb bytes.Buffer
	cmd := exec.Command("sh", "-c", script)
	cmd.Stdout, cmd.Stderr = &out, &errb
	err := cmd.Run()
	code := 0
	if ee, ok := err.(*exec.ExitError); ok {
		code = ee.ExitCode()
	} else {
		require.NoError(t, err)
	}
	return out.String(), errb.String(), code
}

func TestShell(t *testing.T) {
	k, dir := mounted(t)
	counter := filepath.Join(dir, "counter")

	out, _, code := sh(t, "ls "+dir)
	require.Equal(t, 0, code)
	assert.Equal(t, "counter\nhelloworlddriver\nkmsg\nlock_stat\nmodules\n", out)

	for range 12 {
		_, errOut, code := sh(t, "echo I > "+counter)
		require.Equal(t, 0, code, errOut)
	}
	_, _, code = sh(t, "echo D > "+counter)
	require.Equal(t, 0, code)
	out, _, _ = sh(t, "cat "+counter)
	assert.Equal(t, "11\n", out)
	out, _, _ = sh(t, "dd if="+counter+" bs=1 skip=1 status=none")
	assert.Equal(t, "1\n", out, "offsets work")

	// bash reports the errno (dash's echo says only "I/O error").
	_, errOut, code := sh(t, "bash -c 'echo X > "+counter+"'")
	assert.NotEqual(t, 0, code)
	assert.Contains(t, errOut, "Invalid argument")
	err := os.WriteFile(counter, []byte("X\n"), 0)
	assert.ErrorIs(t, err, syscall.EINVAL, "the errno is EINVAL, one to one")
	out, _, _ = sh(t, "cat "+counter)
	assert.Equal(t, "11\n", out, "a rejected write changes nothing")

	_, errOut, code = sh(t, "echo hi > "+filepath.Join(dir, "helloworlddriver"))
	assert.NotEqual(t, 0, code)
	assert.Contains(t, errOut, "Permission denied")

	out, _, _ = sh(t, "cat "+filepath.Join(dir, "helloworlddriver"))
	assert.Equal(t, "Hello world!\n", out)
	out, _, _ = sh(t, "cat "+filepath.Join(dir, "modules"))
	assert.Regexp(t, `(?m)^counter 16384 0 - Live 0x[0-9a-f]{16}$`, out)
	out, _, _ = sh(t, "cat "+filepath.Join(dir, "kmsg"))
	assert.Contains(t, out, "counter: loaded, lock=ticket")

	require.NoError(t, k.Rmmod("hello"))
	_, errOut, code = sh(t, "cat "+filepath.Join(dir, "helloworlddriver"))
	assert.NotEqual(t, 0, code)
	assert.Contains(t, errOut, "No such file or directory", "rmmod removes the file")
}

// TestPythonReader runs the tutorial's reader, unchanged but for the path.
func TestPythonReader(t *testing.T) {
	_, dir := mounted(t)
	python, err := exec.LookPath("python3")
	if err != nil {
		t.Skip("no python3")
	}
	script := fmt.Sprintf("kernel_module = open('%s')\ngreeting = kernel_module.readline();\nprint(greeting)\nkernel_module.close()\n",
		filepath.Join(dir, "helloworlddriver"))
	out, err := exec.Command(python, "-c", script).Output()
	require.NoError(t, err)
	assert.Equal(t, "Hello world!\n\n", string(out))
}

// TestProcessesLoseNothing has several OS processes write I and D
// concurrently, as shells do: the value must be exact.
func TestProcessesLoseNothing(t *testing.T) {
	_, dir := mounted(t)
	counter := filepath.Join(dir, "counter")
	var wg sync.WaitGroup
	for i := range 6 {
		cmd := "I"
		if i%3 == 2 {
			cmd = "D"
		}
		wg.Go(func() {
			_, errOut, code := sh(t, fmt.Sprintf("i=0; while [ $i -lt 150 ]; do echo %s > %s || exit 1; i=$((i+1)); done", cmd, counter))
			assert.Equal(t, 0, code, errOut)
		})
	}
	wg.Wait()
	out, _, _ := sh(t, "cat "+counter)
	assert.Equal(t, "300\n", out, "4 processes x 150 I, 2 x 150 D")
}

func TestOpenErrorsMapToErrno(t *testing.T) {
	_, dir := mounted(t)
	_, err := os.OpenFile(filepath.Join(dir, "modules"), os.O_WRONLY, 0)
	assert.ErrorContains(t, err, "permission denied")
	_, err = os.Open(filepath.Join(dir, "nonesuch"))
	assert.True(t, os.IsNotExist(err))
	_, err = os.OpenFile(filepath.Join(dir, "kmsg"), os.O_RDWR, 0)
	assert.ErrorContains(t, err, "permission denied")
	b, err := os.ReadFile(filepath.Join(dir, "counter"))
	require.NoError(t, err)
	assert.True(t, strings.HasSuffix(string(b), "\n"))
}

// TestNamesAndAttributesAreRefused is issue 11's defect 3: rm, mv, chmod,
// chown and touch -d exited 0 and changed nothing. Each now fails with the
// errno /proc gives a user who is not root, and nothing changes.
func TestNamesAndAttributesAreRefused(t *testing.T) {
	_, dir := mounted(t)
	for cmd, want := range map[string]string{
		"rm -f %s/counter":                            "Permission denied",
		"rmdir %s/counter":                            "Not a directory", // the VFS answers first
		"mv %s/helloworlddriver %s/hello2":            "No such file or directory",
		"mv %s/helloworlddriver %s/counter":           "Permission denied",
		"touch %s/newfile":                            "No such file or directory",
		"mkdir %s/newdir":                             "No such file or directory",
		"ln -s /etc/passwd %s/link":                   "No such file or directory",
		"chmod 600 %s/counter":                        "Operation not permitted",
		"chown 65534 %s/counter":                      "Operation not permitted",
		"touch -d 2001-09-09 %s/counter":              "Operation not permitted",
		"touch %s/helloworlddriver":                   "Permission denied",
		"mv %s/counter " + t.TempDir() + "/elsewhere": "Permission denied", // copied, then the unlink fails
	} {
		script := strings.ReplaceAll(cmd, "%s", dir)
		_, errOut, code := sh(t, script)
		assert.NotEqual(t, 0, code, script)
		assert.Contains(t, errOut, want, script)
	}
	_, errOut, code := sh(t, "touch "+dir+"/counter")
	assert.Equal(t, 0, code, "touch to now needs only write access, as in /proc: %s", errOut)

	out, _, _ := sh(t, "ls "+dir)
	assert.Equal(t, "counter\nhelloworlddriver\nkmsg\nlock_stat\nmodules\n", out, "no name changed")
	out, _, _ = sh(t, "stat -c '%a %u' "+dir+"/counter "+dir+"/helloworlddriver")
	assert.Equal(t, "666 0\n444 0\n", out, "no mode or owner changed")
}

// TestLockStatThroughTheMount is issue 14's /proc/lock_stat as a shell
// sees it: cat shows the counter's class, echo 0 clears it.
func TestLockStatThroughTheMount(t *testing.T) {
	testenv.RequireFuse(t)
	m, err := fusechild.Start(fusechild.Module{Name: "counter", Params: []string{"lock=ticket", "stats=1"}})
	require.NoError(t, err)
	t.Cleanup(func() { assert.NoError(t, m.Close()) })
	lockStat := filepath.Join(m.Dir, "lock_stat")

	for range 3 {
		_, errOut, code := sh(t, "echo I > "+filepath.Join(m.Dir, "counter"))
		require.Equal(t, 0, code, errOut)
	}
	out, errOut, code := sh(t, "cat "+lockStat)
	require.Equal(t, 0, code, errOut)
	assert.True(t, strings.HasPrefix(out, "lock_stat version 0.4\n"), out)
	line := ""
	for l := range strings.Lines(out) {
		if strings.Contains(l, "ticket:park:") {
			line = l
		}
	}
	require.NotEmpty(t, line, out)
	assert.Equal(t, "3", strings.Fields(line)[8], "three writes, three acquisitions: %s", line)

	out, errOut, code = sh(t, "echo 0 > "+lockStat+" && cat "+lockStat)
	require.Equal(t, 0, code, errOut)
	assert.NotContains(t, out, "ticket:park", "cleared: no line until the lock is used again")
}
