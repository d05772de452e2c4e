package limits

import (
	"errors"
	"fmt"
	"maps"
	"sync"
	"sync/atomic"
	"time"
)

// Engine decides whether the emulator admits a request, enforcing Graph's
// documented limits per app, tenant and mailbox. Create it with New; the zero
// value is not usable. An Engine is safe for concurrent use and starts no
// goroutines: state for idle keys is dropped lazily during later calls, so
// memory follows the keys active within the longest window.
//
// All limits a request is subject to are decided together under one mutex, so
// two racing requests never both take the last unit of a budget. The hot
// per-app global window would serialise callers anyway, and the critical
// section is a few map lookups (see BenchmarkAdmit).
type Engine struct {
	now   func() time.Time
	epoch time.Time

	mu         sync.Mutex
	cfg        Config
	p          [numLimits]params
	concRetry  time.Duration // scaled Outlook concurrency Retry-After
	sweepEvery int64
	last       int64 // latest time seen, ns since epoch; time never goes back
	nextSweep  int64
	fracAcc    float64 // accumulates Config.FractionalRetryAfter
	windows    map[stateKey]*window
	buckets    map[stateKey]*tokenBucket
	slots      map[stateKey]*slot
	throttles  [numLimits]int64
}

// stateKey identifies one limit's state for one key. Fields a limit is not
// keyed by are empty.
type stateKey struct {
	id                    limitID
	app, tenant, resource string
}

// slot counts the requests in flight for one key. Admit increments it under
// the engine's mutex; Ticket.Done decrements it without the mutex.
type slot struct{ inflight atomic.Int64 }

// New returns an Engine enforcing cfg. now is the clock; tests pass a fake.
func New(cfg Config, now func() time.Time) (*Engine, error) {
	if now == nil {
		return nil, errors.New("new limits engine: nil clock")
	}
	if err := cfg.Validate(); err != nil {
		return nil, fmt.Errorf("new limits engine: %w", err)
	}
	e := &Engine{
		now:     now,
		epoch:   now(),
		windows: make(map[stateKey]*window),
		buckets: make(map[stateKey]*tokenBucket),
		slots:   make(map[stateKey]*slot),
	}
	e.apply(cfg)
	e.nextSweep = e.sweepEvery
	return e, nil
}

// apply installs cfg, which must be valid. The caller holds e.mu or owns e.
func (e *Engine) apply(cfg Config) {
	e.cfg = cfg
	e.p = compile(&e.cfg)
	e.concRetry = time.Duration(float64(cfg.Outlook.ConcurrencyRetryAfter) / cfg.TimeScale)
	// Sweeping once per scaled minute keeps the cost amortised over many
	// requests while idle keys disappear within a few of their windows.
	e.sweepEvery = max(int64(float64(time.Minute)/cfg.TimeScale), int64(time.Millisecond))
}

// Config returns the configuration in force.
func (e *Engine) Config() Config {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.cfg
}

// SetConfig replaces the configuration at run time, for the control API. New
// counts apply from the next request and usage so far is kept; a limit whose
// window or period changes (directly or through TimeScale) restarts its
// accounting from empty. Requests in flight keep their concurrency slots. An
// invalid cfg is refused and the old one stays.
func (e *Engine) SetConfig(cfg Config) error {
	if err := cfg.Validate(); err != nil {
		return fmt.Errorf("set limits config: %w", err)
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	old := e.p
	e.apply(cfg)
	for id := range numLimits {
		if old[id].span != e.p[id].span {
			e.forget(id)
		}
	}
	return nil
}

// forget drops all window and bucket state of one limit.
func (e *Engine) forget(id limitID) {
	for k := range e.windows {
		if k.id == id {
			delete(e.windows, k)
		}
	}
	for k := range e.buckets {
		if k.id == id {
			delete(e.buckets, k)
		}
	}
}

// Throttles returns how many requests each limit has rejected since New,
// keyed by limit name ("outlook.concurrency", "sharepoint.appMinute", …).
// Only limits that rejected something appear.
func (e *Engine) Throttles() map[string]int64 {
	e.mu.Lock()
	counts := e.throttles
	e.mu.Unlock()
	out := make(map[string]int64)
	for id, n := range counts {
		if n > 0 {
			out[specs[id].name] = n
		}
	}
	return out
}

// Keys returns how many keys currently hold state, for tests and the control
// API: windows, token buckets and concurrency counters together.
func (e *Engine) Keys() int {
	e.mu.Lock()
	defer e.mu.Unlock()
	return len(e.windows) + len(e.buckets) + len(e.slots)
}

// clock returns the time since the epoch in ns, never less than before.
func (e *Engine) clock() int64 {
	t := int64(e.now().Sub(e.epoch))
	if t < e.last {
		return e.last
	}
	e.last = t
	return t
}

// maybeSweep drops state that no longer affects any decision: windows whose
// slots have all expired, buckets that have refilled, and idle concurrency
// counters. Dropped state is recreated empty or full, which is what it was.
func (e *Engine) maybeSweep(t int64) {
	if t < e.nextSweep {
		return
	}
	e.nextSweep = t + e.sweepEvery
	maps.DeleteFunc(e.windows, func(k stateKey, w *window) bool {
		return w.idleAt(e.p[k.id].span) <= t
	})
	maps.DeleteFunc(e.buckets, func(k stateKey, b *tokenBucket) bool {
		return b.fullAt(b.capacity, e.p[k.id].span) <= t
	})
	maps.DeleteFunc(e.slots, func(_ stateKey, s *slot) bool {
		// Slots are incremented only under e.mu, which the sweep holds, so a
		// zero here stays zero until the key is recreated.
		return s.inflight.Load() == 0
	})
}
