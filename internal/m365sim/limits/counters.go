package limits

import (
	"cmp"
	"net/http"
	"slices"
	"sync"
	"time"
)

// Sample is one served request, as the emulator's handlers record it.
type Sample struct {
	App   string
	Class Class
	// Endpoint is a route label ("messages.delta", "drive.content"), not a
	// raw path, so that the number of counters stays small.
	Endpoint string
	Status   int
	BytesIn  int64 // request body bytes read
	BytesOut int64 // response body bytes written
}

// Counters aggregates Samples per (app, class, endpoint) for benchmarks and
// the control API. Create it with NewCounters; it is safe for concurrent use.
// A 429 counts as throttled whatever produced it (the engine or a fault).
type Counters struct {
	now func() time.Time

	// mu guards the map and since. Record holds it shared for the whole
	// update, so Reset (exclusive) never loses a Sample into a dropped entry.
	mu      sync.RWMutex
	since   time.Time
	entries map[counterKey]*counterEntry
}

type counterKey struct {
	app      string
	class    Class
	endpoint string
}

type counterEntry struct {
	mu        sync.Mutex
	requests  int64
	throttled int64
	bytesIn   int64
	bytesOut  int64
	status    map[int]int64
}

// NewCounters returns empty counters. now stamps Stats.Since and Stats.At;
// with a nil now they stay zero.
func NewCounters(now func() time.Time) *Counters {
	c := &Counters{now: now, entries: make(map[counterKey]*counterEntry)}
	c.since = c.stamp()
	return c
}

func (c *Counters) stamp() time.Time {
	if c.now == nil {
		return time.Time{}
	}
	return c.now()
}

// Record adds one request.
func (c *Counters) Record(s Sample) {
	if s.Class == "" {
		s.Class = ClassOther
	}
	k := counterKey{app: s.App, class: s.Class, endpoint: s.Endpoint}
	c.mu.RLock()
	if e := c.entries[k]; e != nil {
		e.add(&s)
		c.mu.RUnlock()
		return
	}
	c.mu.RUnlock()
	// First sample of this key: create and record under the exclusive lock,
	// so that a Reset in between cannot orphan the entry.
	c.mu.Lock()
	e := c.entries[k]
	if e == nil {
		e = &counterEntry{status: make(map[int]int64)}
		c.entries[k] = e
	}
	e.add(&s)
	c.mu.Unlock()
}

func (e *counterEntry) add(s *Sample) {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.requests++
	if s.Status == http.StatusTooManyRequests {
		e.throttled++
	}
	e.bytesIn += s.BytesIn
	e.bytesOut += s.BytesOut
	e.status[s.Status]++
}

// Reset clears all counts and restarts Since.
func (c *Counters) Reset() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.entries = make(map[counterKey]*counterEntry)
	c.since = c.stamp()
}

// Stats is a snapshot of Counters. Its JSON field names are stable: the
// control API and benchmark reports depend on them. Status maps a status code
// (as a JSON object key, e.g. "200") to its count.
type Stats struct {
	Since     time.Time       `json:"since"`
	At        time.Time       `json:"at"`
	Requests  int64           `json:"requests"`
	Throttled int64           `json:"throttled"`
	BytesIn   int64           `json:"bytesIn"`
	BytesOut  int64           `json:"bytesOut"`
	Status    map[int]int64   `json:"status"`
	Endpoints []EndpointStats `json:"endpoints"`
}

// EndpointStats are the counts of one (app, class, endpoint).
type EndpointStats struct {
	App       string        `json:"app"`
	Class     Class         `json:"class"`
	Endpoint  string        `json:"endpoint"`
	Requests  int64         `json:"requests"`
	Throttled int64         `json:"throttled"`
	BytesIn   int64         `json:"bytesIn"`
	BytesOut  int64         `json:"bytesOut"`
	Status    map[int]int64 `json:"status"`
}

// Snapshot returns the counts so far, endpoints sorted by app, class and
// endpoint. Samples recorded during the call may or may not be included, but
// each endpoint's counts are consistent with each other.
func (c *Counters) Snapshot() Stats {
	c.mu.RLock()
	defer c.mu.RUnlock()
	st := Stats{Since: c.since, At: c.stamp(), Status: make(map[int]int64),
		Endpoints: make([]EndpointStats, 0, len(c.entries))}
	for k, e := range c.entries {
		e.mu.Lock()
		es := EndpointStats{App: k.app, Class: k.class, Endpoint: k.endpoint,
			Requests: e.requests, Throttled: e.throttled, BytesIn: e.bytesIn, BytesOut: e.bytesOut,
			Status: make(map[int]int64, len(e.status))}
		for code, n := range e.status {
			es.Status[code] = n
			st.Status[code] += n
		}
		e.mu.Unlock()
		st.Requests += es.Requests
		st.Throttled += es.Throttled
		st.BytesIn += es.BytesIn
		st.BytesOut += es.BytesOut
		st.Endpoints = append(st.Endpoints, es)
	}
	slices.SortFunc(st.Endpoints, func(a, b EndpointStats) int {
		return cmp.Or(cmp.Compare(a.App, b.App), cmp.Compare(a.Class, b.Class),
			cmp.Compare(a.Endpoint, b.Endpoint))
	})
	return st
}
