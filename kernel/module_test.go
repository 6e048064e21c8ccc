package kernel_test

import (
	"errors"
	"fmt"
	"os"
	"regexp"
	"strings"
	"syscall"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/lockbench/lockbench/kernel"
)

// Test modules, registered in this test binary only.
func init() {
	kernel.Register(kernel.Module{
		Name:        "kt_params",
		Description: "test module with every parameter type",
		Params: []kernel.Param{
			{Name: "mode", Type: kernel.ParamString, Default: "fast", Desc: "fast or slow",
				Parse: func(v string) (any, error) {
					if v != "fast" && v != "slow" {
						return nil, errors.New("must be fast or slow")
					}
					return v == "fast", nil // typed: is it fast
				}},
			{Name: "n", Type: kernel.ParamInt, Default: "3"},
			{Name: "debug", Type: kernel.ParamBool, Default: "n"},
			{Name: "fail", Type: kernel.ParamBool, Default: "0"},
			{Name: "forget", Type: kernel.ParamBool, Default: "0"},
		},
		Init: func(m *kernel.Instance) (func(), error) {
			text := fmt.Sprintf("mode=%s n=%d debug=%v\n", m.Param("mode"), m.ParamInt("n"), m.ParamBool("debug"))
			if m.Value("mode").(bool) != (m.Param("mode") == "fast") || m.Value("n").(int64) != m.ParamInt("n") || m.Value("debug").(bool) != m.ParamBool("debug") {
				return nil, errors.New("Value disagrees with Param")
			}
			e, err := m.ProcCreate("kt_params", 0o444, kernel.ProcOps{
				Show: func(b []byte) []byte { return append(b, text...) },
			})
			if err != nil {
				return nil, err
			}
			if m.ParamBool("fail") {
				m.Printk(kernel.KernErr, "failing on purpose")
				return nil, syscall.ENODEV
			}
			m.Printk(kernel.KernInfo, "loaded")
			return func() {
				if !m.ParamBool("forget") {
					e.Remove()
				}
				m.Printk(kernel.KernInfo, "unloaded")
			}, nil
		},
	})
	kernel.Register(kernel.Module{
		Name: "kt_plainerr",
		Init: func(*kernel.Instance) (func(), error) { return nil, errors.New("no errno here") },
	})
	kernel.Register(kernel.Module{
		Name: "kt_noexit",
		Size: 4096,
		Init: func(*kernel.Instance) (func(), error) { return nil, nil },
	})
}

func dmesgContains(t *testing.T, k *kernel.Kernel, substr string) {
	t.Helper()
	for _, l := range k.Dmesg() {
		if strings.Contains(l, substr) {
			return
		}
	}
	t.Errorf("dmesg has no line containing %q:\n%s", substr, strings.Join(k.Dmesg(), "\n"))
}

func TestInsmodParams(t *testing.T) {
	for _, tc := range []struct {
		params []string
		want   string
	}{
		{nil, "mode=fast n=3 debug=false\n"},
		{[]string{"mode=slow n=0x10 debug=y"}, "mode=slow n=16 debug=true\n"},
		{[]string{"mode=slow", "n=-2", "debug"}, "mode=slow n=-2 debug=true\n"},
		{[]string{"n=1 n=2"}, "mode=fast n=2 debug=false\n"},
	} {
		k := kernel.New()
		require.NoError(t, k.Insmod("kt_params", tc.params...), "%q", tc.params)
		b, err := k.ReadFile("/proc/kt_params")
		require.NoError(t, err)
		assert.Equal(t, tc.want, string(b), "%q", tc.params)
		dmesgContains(t, k, "kt_params: loaded")
	}
}

func TestInsmodErrors(t *testing.T) {
	k := kernel.New()
	err := k.Insmod("nosuchmodule")
	assert.ErrorIs(t, err, syscall.ENOENT)
	assert.EqualError(t, err, "insmod nosuchmodule: no such module: no such file or directory")

	for _, tc := range []struct {
		params string
		printk string
	}{
		{"bogus=1", "kt_params: unknown parameter 'bogus'"},
		{"n=ten", "kt_params: 'ten' invalid for parameter 'n': not an integer"},
		{"debug=maybe", "kt_params: 'maybe' invalid for parameter 'debug'"},
		{"mode=medium", "kt_params: 'medium' invalid for parameter 'mode': must be fast or slow"},
		{"mode", "kt_params: parameter 'mode' needs a value"},
	} {
		err := k.Insmod("kt_params", tc.params)
		assert.ErrorIs(t, err, syscall.EINVAL, tc.params)
		var me *kernel.ModuleError
		require.ErrorAs(t, err, &me)
		assert.Equal(t, "insmod", me.Op)
		dmesgContains(t, k, tc.printk)
	}
	assert.Empty(t, k.Lsmod(), "failed loads leave nothing")

	require.NoError(t, k.Insmod("kt_params"))
	assert.ErrorIs(t, k.Insmod("kt_params"), syscall.EEXIST)
}

func TestFailingInitLeavesNothing(t *testing.T) {
	k := kernel.New()
	err := k.Insmod("kt_params", "fail=1")
	assert.ErrorIs(t, err, syscall.ENODEV, "init's errno is insmod's")
	assert.Empty(t, k.Lsmod())
	_, err = k.Open("/proc/kt_params", os.O_RDONLY)
	assert.ErrorIs(t, err, syscall.ENOENT, "the entry init created is gone")
	dmesgContains(t, k, "kt_params: failing on purpose")

	require.NoError(t, k.Insmod("kt_params"), "and the module loads cleanly afterwards")

	err = k.Insmod("kt_plainerr")
	assert.ErrorIs(t, err, syscall.EINVAL, "an init error without an errno is EINVAL")
	assert.EqualError(t, err, "insmod kt_plainerr: init failed: invalid argument (no errno here)")
}

func TestRmmod(t *testing.T) {
	k := kernel.New()
	assert.ErrorIs(t, k.Rmmod("kt_params"), syscall.ENOENT)

	require.NoError(t, k.Insmod("kt_params"))
	f, err := k.Open("/proc/kt_params", os.O_RDONLY)
	require.NoError(t, err)
	require.NoError(t, k.Rmmod("kt_params"))
	dmesgContains(t, k, "kt_params: unloaded")
	assert.Empty(t, k.Lsmod())
	_, err = f.Read(make([]byte, 8))
	assert.ErrorIs(t, err, syscall.EIO, "files left open fail with EIO")
	_, err = k.Open("/proc/kt_params", os.O_RDONLY)
	assert.ErrorIs(t, err, syscall.ENOENT)
	assert.ErrorIs(t, k.Rmmod("kt_params"), syscall.ENOENT)
}

func TestRmmodRemovesForgottenEntries(t *testing.T) {
	k := kernel.New()
	require.NoError(t, k.Insmod("kt_params", "forget=1"))
	require.NoError(t, k.Rmmod("kt_params"))
	_, err := k.Open("/proc/kt_params", os.O_RDONLY)
	assert.ErrorIs(t, err, syscall.ENOENT)
	require.NoError(t, k.Insmod("kt_params"), "the name is free for the next load")
}

func TestModuleReferences(t *testing.T) {
	k := kernel.New()
	_, err := k.TryModuleGet("kt_params")
	assert.ErrorIs(t, err, syscall.ENOENT)

	require.NoError(t, k.Insmod("kt_params"))
	put, err := k.TryModuleGet("kt_params")
	require.NoError(t, err)
	assert.Equal(t, int64(1), k.Lsmod()[0].Refcnt)
	assert.ErrorIs(t, k.Rmmod("kt_params"), syscall.EBUSY)
	assert.Equal(t, "Live", k.Lsmod()[0].State, "a refused rmmod leaves the module live")

	put()
	put() // once only
	assert.Equal(t, int64(0), k.Lsmod()[0].Refcnt)
	require.NoError(t, k.Rmmod("kt_params"))
}

var modulesLine = regexp.MustCompile(`^(\S+) (\d+) (\d+) - Live 0x[0-9a-f]{16}$`)

func TestLsmodAndProcModules(t *testing.T) {
	k := kernel.New()
	b, err := k.ReadFile("/proc/modules")
	require.NoError(t, err)
	assert.Empty(t, string(b))

	require.NoError(t, k.Insmod("kt_params", "n=7"))
	require.NoError(t, k.Insmod("kt_noexit"))
	mods := k.Lsmod()
	require.Len(t, mods, 2)
	assert.Equal(t, "kt_noexit", mods[0].Name, "newest first")
	assert.Equal(t, 4096, mods[0].Size)
	assert.Equal(t, "kt_params", mods[1].Name)
	assert.Equal(t, 16384, mods[1].Size, "default size")
	assert.Equal(t, "7", mods[1].Params["n"])
	assert.NotEqual(t, mods[0].Addr, mods[1].Addr)

	b, err = k.ReadFile("/proc/modules")
	require.NoError(t, err)
	lines := strings.Split(strings.TrimSuffix(string(b), "\n"), "\n")
	require.Len(t, lines, 2)
	for i, l := range lines {
		m := modulesLine.FindStringSubmatch(l)
		require.NotNil(t, m, "%q", l)
		assert.Equal(t, mods[i].Name, m[1])
		assert.Equal(t, mods[i].String(), l)
	}

	_, err = k.Open("/proc/modules", os.O_WRONLY)
	assert.ErrorIs(t, err, syscall.EACCES, "/proc/modules is read-only")

	require.NoError(t, k.Rmmod("kt_noexit"), "a module without exit unloads")
	assert.Len(t, k.Lsmod(), 1)
}

func TestKernelsAreIndependent(t *testing.T) {
	a, b := kernel.New(), kernel.New()
	require.NoError(t, a.Insmod("kt_params"))
	assert.Empty(t, b.Lsmod())
	require.NoError(t, b.Insmod("kt_params"), "each kernel loads its own copy")
}

func TestRegisterRejects(t *testing.T) {
	init := func(*kernel.Instance) (func(), error) { return nil, nil }
	assert.PanicsWithValue(t, "kernel: Register called twice for module kt_params", func() {
		kernel.Register(kernel.Module{Name: "kt_params", Init: init})
	})
	for _, bad := range []kernel.Module{
		{Name: "", Init: init},
		{Name: "a b", Init: init},
		{Name: "a=b", Init: init},
		{Name: "noinit"},
		{Name: "dupparam", Init: init, Params: []kernel.Param{{Name: "x"}, {Name: "x"}}},
		{Name: "baddefault", Init: init, Params: []kernel.Param{{Name: "n", Type: kernel.ParamInt, Default: "x"}}},
	} {
		assert.Panics(t, func() { kernel.Register(bad) }, "%+v", bad)
	}
}

func TestModulesLists(t *testing.T) {
	var names []string
	for _, m := range kernel.Modules() {
		names = append(names, m.Name)
	}
	assert.Contains(t, names, "kt_params")
	assert.IsIncreasing(t, names)
}
