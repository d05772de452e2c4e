package graph

import (
	"errors"
	"strconv"
	"sync/atomic"
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

// Stats are cheap in-process counters for the CLI's summaries. All counts
// are since the Client was created.
type Stats struct {
	Requests  int64         // HTTP requests sent, retries included
	Retries   int64         // requests that were repeats of a failed one
	Throttled int64         // 429 and 503 answers
	Failed    int64         // calls that returned an error to the caller
	BytesDown int64         // response body bytes read
	BytesUp   int64         // request body bytes sent
	RetryWait time.Duration // time spent waiting before retries
	// Rates is the adaptive request rate of each tenant-wide service lane
	// ("outlook", "files", "directory") in requests per second; 0 means the
	// service has not throttled and is not paced.
	Rates map[string]float64
}

// metrics holds the Prometheus collectors and the Stats counters.
type metrics struct {
	requests  *prometheus.CounterVec // class, status
	retries   *prometheus.CounterVec // class, reason
	throttled *prometheus.CounterVec // class
	wait      *prometheus.CounterVec // class
	bytes     *prometheus.CounterVec // class, direction

	nRequests, nRetries, nThrottled, nFailed, nDown, nUp, nWait atomic.Int64
}

func newMetrics(reg prometheus.Registerer) *metrics {
	m := &metrics{
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Namespace: "sg365", Subsystem: "graph", Name: "requests_total",
			Help: "Graph HTTP requests by resource class and response status (\"error\" for transport failures).",
		}, []string{"class", "status"}),
		retries: prometheus.NewCounterVec(prometheus.CounterOpts{
			Namespace: "sg365", Subsystem: "graph", Name: "retries_total",
			Help: "Graph requests retried, by class and reason (status code, \"connection\" or \"auth\").",
		}, []string{"class", "reason"}),
		throttled: prometheus.NewCounterVec(prometheus.CounterOpts{
			Namespace: "sg365", Subsystem: "graph", Name: "throttled_total",
			Help: "Graph 429 and 503 responses by class.",
		}, []string{"class"}),
		wait: prometheus.NewCounterVec(prometheus.CounterOpts{
			Namespace: "sg365", Subsystem: "graph", Name: "retry_wait_seconds_total",
			Help: "Seconds spent waiting before retries (Retry-After or backoff), by class.",
		}, []string{"class"}),
		bytes: prometheus.NewCounterVec(prometheus.CounterOpts{
			Namespace: "sg365", Subsystem: "graph", Name: "bytes_total",
			Help: "Body bytes transferred with Graph and its content hosts, by class and direction (down, up).",
		}, []string{"class", "direction"}),
	}
	if reg != nil {
		m.requests = register(reg, m.requests)
		m.retries = register(reg, m.retries)
		m.throttled = register(reg, m.throttled)
		m.wait = register(reg, m.wait)
		m.bytes = register(reg, m.bytes)
	}
	return m
}

// register registers c, or returns the collector already registered under
// the same name, so several Clients (one per tenant) can share a registry.
func register(reg prometheus.Registerer, c *prometheus.CounterVec) *prometheus.CounterVec {
	if err := reg.Register(c); err != nil {
		var are prometheus.AlreadyRegisteredError
		if errors.As(err, &are) {
			if existing, ok := are.ExistingCollector.(*prometheus.CounterVec); ok {
				return existing
			}
		}
		// A conflicting collector of another shape: keep ours unregistered
		// rather than fail the Client over metrics.
	}
	return c
}

func (m *metrics) request(c Class, status int) {
	m.nRequests.Add(1)
	label := "error"
	if status > 0 {
		label = strconv.Itoa(status)
	}
	m.requests.WithLabelValues(string(c), label).Inc()
	if status == 429 || status == 503 {
		m.nThrottled.Add(1)
		m.throttled.WithLabelValues(string(c)).Inc()
	}
}

func (m *metrics) retry(c Class, reason string, wait time.Duration) {
	m.nRetries.Add(1)
	m.retries.WithLabelValues(string(c), reason).Inc()
	if wait > 0 {
		m.nWait.Add(int64(wait))
		m.wait.WithLabelValues(string(c)).Add(wait.Seconds())
	}
}

func (m *metrics) down(c Class, n int) {
	if n > 0 {
		m.nDown.Add(int64(n))
		m.bytes.WithLabelValues(string(c), "down").Add(float64(n))
	}
}

func (m *metrics) up(c Class, n int64) {
	if n > 0 {
		m.nUp.Add(n)
		m.bytes.WithLabelValues(string(c), "up").Add(float64(n))
	}
}
