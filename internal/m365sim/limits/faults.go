package limits

import (
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// FaultKind is what the emulator does to a request instead of, or on top of,
// serving it normally.
type FaultKind uint8

// The faults Decide returns.
const (
	// FaultNone: serve normally.
	FaultNone FaultKind = iota
	// FaultStatus: answer Fault.Decision (429, 503, 504 or a scripted status)
	// without serving.
	FaultStatus
	// FaultReset: hijack the connection and close it without answering.
	FaultReset
	// FaultSlow: wait Fault.Delay, then serve normally.
	FaultSlow
	// FaultTruncate: serve with the full Content-Length but close the
	// connection part-way through the body. Responses without a body are
	// served normally.
	FaultTruncate
)

var faultNames = [...]string{"none", "status", "reset", "slow", "truncate"}

func (k FaultKind) String() string {
	if int(k) < len(faultNames) {
		return faultNames[k]
	}
	return fmt.Sprintf("FaultKind(%d)", uint8(k))
}

// Fault is the injector's verdict on one request.
type Fault struct {
	Kind     FaultKind
	Decision *Decision     // set for FaultStatus
	Delay    time.Duration // set for FaultSlow
}

// FaultConfig sets random fault rates. The zero value injects nothing. Rates
// are probabilities per request and must sum to at most 1. Durations are used
// as given: they are not scaled by Config.TimeScale.
type FaultConfig struct {
	// Seed makes the fault sequence reproducible.
	Seed int64
	// Rate429, Rate503 and Rate504 answer with that status, a Graph error
	// body and a Retry-After header.
	Rate429, Rate503, Rate504 float64
	// ResetRate, SlowRate and TruncateRate pick the other fault kinds.
	ResetRate, SlowRate, TruncateRate float64
	// SlowDelay is the delay of FaultSlow; it must be positive when SlowRate
	// is set.
	SlowDelay time.Duration
	// RetryAfter is the Retry-After of injected statuses; 0 means 1 s.
	RetryAfter time.Duration
	// Paths limits random faults to request paths with one of these
	// prefixes; empty means every path.
	Paths []string
	// Methods limits random faults to these HTTP methods (any case); empty
	// means every method.
	Methods []string
	// FractionalRetryAfter makes about half of the injected Retry-After
	// values fractional ("2.128"): RetryAfter plus a random fraction of a
	// second. Graph's docs show that form; most services send integers.
	FractionalRetryAfter bool
}

// Validate reports every problem in c, joined, or nil.
func (c FaultConfig) Validate() error {
	var errs []error
	rates := []struct {
		name string
		v    float64
	}{
		{"rate429", c.Rate429}, {"rate503", c.Rate503}, {"rate504", c.Rate504},
		{"resetRate", c.ResetRate}, {"slowRate", c.SlowRate}, {"truncateRate", c.TruncateRate},
	}
	sum := 0.0
	for _, r := range rates {
		if math.IsNaN(r.v) || r.v < 0 || r.v > 1 {
			errs = append(errs, fmt.Errorf("%s: %v must be in [0, 1]", r.name, r.v))
			continue
		}
		sum += r.v
	}
	if sum > 1+1e-9 {
		errs = append(errs, fmt.Errorf("fault rates sum to %v, more than 1", sum))
	}
	if c.SlowRate > 0 && c.SlowDelay <= 0 {
		errs = append(errs, fmt.Errorf("slowDelay: %v must be positive when slowRate is set", c.SlowDelay))
	}
	if c.SlowDelay < 0 {
		errs = append(errs, fmt.Errorf("slowDelay: %v is negative", c.SlowDelay))
	}
	if c.RetryAfter < 0 {
		errs = append(errs, fmt.Errorf("retryAfter: %v is negative", c.RetryAfter))
	}
	if len(errs) > 0 {
		return fmt.Errorf("invalid fault config: %w", errors.Join(errs...))
	}
	return nil
}

// Faults injects faults into the emulator's responses: random ones at the
// configured rates, deterministic from the seed, plus scripted ones (FailNext)
// and expired delta tokens (ExpireDelta). Create it with NewFaults; the zero
// value is not usable. Faults is safe for concurrent use. Given the same seed
// and the same sequence of Decide calls, it returns the same faults; with
// concurrent callers the sequence is the order in which calls take its mutex.
type Faults struct {
	// active is false when no rate and no script is set, so that Decide
	// costs one atomic load in the common case.
	active atomic.Bool

	mu      sync.Mutex
	cfg     FaultConfig
	rng     *rand.Rand
	bounds  [6]float64 // cumulative rates, in FaultConfig field order
	scripts []script
	expired map[string]struct{}
}

// script is a FailNext entry.
type script struct {
	prefix string
	status int
	left   int
}

// NewFaults returns an injector with cfg.
func NewFaults(cfg FaultConfig) (*Faults, error) {
	if err := cfg.Validate(); err != nil {
		return nil, fmt.Errorf("new fault injector: %w", err)
	}
	f := &Faults{expired: make(map[string]struct{})}
	f.mu.Lock()
	defer f.mu.Unlock()
	f.apply(cfg)
	return f, nil
}

// SetConfig replaces the random fault rates and restarts the random sequence
// from cfg.Seed. Scripted failures and delta expiries are kept. An invalid
// cfg is refused and the old one stays.
func (f *Faults) SetConfig(cfg FaultConfig) error {
	if err := cfg.Validate(); err != nil {
		return fmt.Errorf("set fault config: %w", err)
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	f.apply(cfg)
	return nil
}

// apply installs cfg, which must be valid; the caller holds f.mu.
func (f *Faults) apply(cfg FaultConfig) {
	// Copy the slices so the caller cannot change them under the mutex.
	cfg.Paths = append([]string(nil), cfg.Paths...)
	cfg.Methods = append([]string(nil), cfg.Methods...)
	f.cfg = cfg
	// PCG takes two 64-bit words; deriving the second from the seed keeps
	// one seed field while the two words differ.
	f.rng = rand.New(rand.NewPCG(uint64(cfg.Seed), uint64(cfg.Seed)^0x9e3779b97f4a7c15))
	acc := 0.0
	for i, r := range []float64{cfg.Rate429, cfg.Rate503, cfg.Rate504, cfg.ResetRate, cfg.SlowRate, cfg.TruncateRate} {
		acc += r
		f.bounds[i] = acc
	}
	f.updateActive()
}

// Config returns the random fault configuration in force.
func (f *Faults) Config() FaultConfig {
	f.mu.Lock()
	defer f.mu.Unlock()
	c := f.cfg
	c.Paths = append([]string(nil), c.Paths...)
	c.Methods = append([]string(nil), c.Methods...)
	return c
}

// updateActive recomputes f.active; the caller holds f.mu.
func (f *Faults) updateActive() {
	f.active.Store(f.bounds[len(f.bounds)-1] > 0 || len(f.scripts) > 0)
}

// Decide returns the fault for one request. Scripted failures (FailNext) come
// first; otherwise, for a request the Paths and Methods filters select, one
// random draw picks the fault at the configured rates. Requests the filters
// skip draw nothing, so they do not shift the sequence.
func (f *Faults) Decide(method, path string) Fault {
	if !f.active.Load() {
		return Fault{}
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	if d := f.takeScript(path); d != nil {
		return Fault{Kind: FaultStatus, Decision: d}
	}
	if f.bounds[len(f.bounds)-1] == 0 || !f.selects(method, path) {
		return Fault{}
	}
	u := f.rng.Float64()
	switch {
	case u < f.bounds[0]:
		return f.status(429)
	case u < f.bounds[1]:
		return f.status(503)
	case u < f.bounds[2]:
		return f.status(504)
	case u < f.bounds[3]:
		return Fault{Kind: FaultReset}
	case u < f.bounds[4]:
		return Fault{Kind: FaultSlow, Delay: f.cfg.SlowDelay}
	case u < f.bounds[5]:
		return Fault{Kind: FaultTruncate}
	}
	return Fault{}
}

func (f *Faults) selects(method, path string) bool {
	if len(f.cfg.Methods) > 0 {
		ok := false
		for _, m := range f.cfg.Methods {
			if strings.EqualFold(m, method) {
				ok = true
				break
			}
		}
		if !ok {
			return false
		}
	}
	if len(f.cfg.Paths) == 0 {
		return true
	}
	for _, p := range f.cfg.Paths {
		if strings.HasPrefix(path, p) {
			return true
		}
	}
	return false
}

// status builds a random status fault; the caller holds f.mu.
func (f *Faults) status(code int) Fault {
	ra := f.retryAfter()
	fractional := false
	if f.cfg.FractionalRetryAfter && f.rng.IntN(2) == 0 {
		fractional = true
		// Whole milliseconds, so the header and Decision.RetryAfter agree.
		ra += time.Duration(f.rng.IntN(1000)) * time.Millisecond
	}
	return Fault{Kind: FaultStatus, Decision: statusDecision(code, ra, fractional)}
}

func (f *Faults) retryAfter() time.Duration {
	if f.cfg.RetryAfter > 0 {
		return f.cfg.RetryAfter
	}
	return time.Second
}
