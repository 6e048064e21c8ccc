package bench

import (
	"github.com/lockbench/lockbench/counter"
	"github.com/lockbench/lockbench/locks"
)

func init() { RegisterPath(directPath{}) }

// directPath calls the counter's Go methods: the guard's cost alone.
type directPath struct{}

func (directPath) Name() string { return "direct" }

func (directPath) Attach(c CounterConfig) (Target, error) {
	opts := []counter.Option{counter.WithCriticalSection(c.CS)}
	if c.AllowBroken {
		opts = append(opts, counter.AllowBroken())
	}
	if c.Stats {
		opts = append(opts, counter.WithStats())
	}
	ctr, err := counter.New(c.Guard, opts...)
	if err != nil {
		return nil, err
	}
	return directTarget{ctr}, nil
}

type directTarget struct{ c *counter.Counter }

func (t directTarget) NewClient() (Client, error) { return directClient(t), nil }
func (t directTarget) Value() (int64, error)      { return t.c.Value(), nil }
func (t directTarget) Close() error               { return nil }

func (t directTarget) LockStats() (locks.StatSnapshot, bool) { return t.c.LockStats() }
func (t directTarget) ResetLockStats()                       { t.c.ResetLockStats() }

type directClient struct{ c *counter.Counter }

func (c directClient) Inc(n int) (int, error) {
	for range n {
		c.c.Inc()
	}
	return n, nil
}

func (c directClient) Dec(n int) (int, error) {
	for range n {
		c.c.Dec()
	}
	return n, nil
}

func (c directClient) Read(n int) (int, error) {
	for range n {
		_ = c.c.Value()
	}
	return n, nil
}

func (c directClient) Close() error { return nil }
