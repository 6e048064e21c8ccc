package bench

import (
	"fmt"

	"github.com/puzpuzpuz/xsync/v4"
)

// GuardXsync is a benchmark-only baseline guard: github.com/puzpuzpuz/xsync's
// striped Counter, the best-known Go peer of the counter's sharded guard. It
// is not a counter module guard, so only the direct path offers it.
const GuardXsync = "xsync"

// xsyncTarget drives an xsync.Counter directly.
type xsyncTarget struct{ c *xsync.Counter }

func attachXsync(c CounterConfig) (Target, error) {
	if c.CS != 0 {
		return nil, fmt.Errorf("bench: lock=%s takes no critical-section work (cs=%v): it is a bare striped counter", GuardXsync, c.CS)
	}
	return xsyncTarget{xsync.NewCounter()}, nil
}

func (t xsyncTarget) NewClient() (Client, error) { return xsyncClient(t), nil }
func (t xsyncTarget) Value() (int64, error)      { return t.c.Value(), nil }
func (t xsyncTarget) Close() error               { return nil }

type xsyncClient struct{ c *xsync.Counter }

func (c xsyncClient) Inc(n int) (int, error) {
	for range n {
		c.c.Inc()
	}
	return n, nil
}

func (c xsyncClient) Dec(n int) (int, error) {
	for range n {
		c.c.Dec()
	}
	return n, nil
}

func (c xsyncClient) Read(n int) (int, error) {
	for range n {
		_ = c.c.Value()
	}
	return n, nil
}

func (c xsyncClient) Close() error { return nil }
