package limits

import (
	"sync"
	"testing"
	"time"
)

// fakeClock is a manual clock for tests.
type fakeClock struct {
	mu sync.Mutex
	t  time.Time
}

func newFakeClock() *fakeClock {
	return &fakeClock{t: time.Date(2025, 3, 1, 12, 0, 0, 0, time.UTC)}
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *fakeClock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

// newTestEngine returns an engine on a fake clock with cfg changed by mod.
func newTestEngine(tb testing.TB, mod func(*Config)) (*Engine, *fakeClock) {
	tb.Helper()
	cfg := DefaultConfig()
	if mod != nil {
		mod(&cfg)
	}
	clk := newFakeClock()
	e, err := New(cfg, clk.Now)
	if err != nil {
		tb.Fatalf("New: %v", err)
	}
	return e, clk
}

// admitN admits r n times, calling Done on each ticket at once, and fails the
// test on the first rejection.
func admitN(tb testing.TB, e *Engine, r Request, n int) {
	tb.Helper()
	for i := range n {
		tk, d := e.Admit(r)
		if d != nil {
			tb.Fatalf("request %d of %d rejected: %s (%s), Retry-After %s", i+1, n, d.Limit, d.Message, d.Header.Get(HeaderRetryAfter))
		}
		tk.Done()
	}
}

// mustReject admits r once and fails the test unless it is rejected by limit.
func mustReject(tb testing.TB, e *Engine, r Request, limit string) *Decision {
	tb.Helper()
	tk, d := e.Admit(r)
	if d == nil {
		tk.Done()
		tb.Fatalf("request admitted, want rejection by %s", limit)
	}
	if d.Limit != limit {
		tb.Fatalf("rejected by %s, want %s", d.Limit, limit)
	}
	return d
}
