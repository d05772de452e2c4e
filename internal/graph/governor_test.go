package graph

import (
	"context"
	"io"
	"math"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"testing"
	"testing/synctest"
	"time"
)

// mailboxServer is an in-process model of Outlook's per-mailbox limits,
// used as the Client's transport inside a synctest bubble (virtual time).
// It answers 429 when a mailbox has more than concurrency requests in
// flight, or when the mailbox's rate limit is exhausted: either a sliding
// window (limit requests per window, as Outlook documents 10,000 per 10
// minutes) or a token bucket. Retry-After is the whole seconds until a
// request would be admitted, rounded up, as a server would send it.
type mailboxServer struct {
	concurrency int
	latency     time.Duration

	window time.Duration // sliding window, if > 0
	limit  int

	bucketRate  float64 // token bucket, if > 0
	bucketBurst float64

	countThrottled  bool // throttled requests use up the window too
	fixedRetryAfter int  // if > 0, always send this Retry-After (an uninformative server)

	mu        sync.Mutex
	boxes     map[string]*simBox
	ok        int
	throttled int
}

type simBox struct {
	inflight, maxInflight int
	hits                  []time.Time
	tokens                float64
	last                  time.Time
}

func (s *mailboxServer) RoundTrip(req *http.Request) (*http.Response, error) {
	mb := mailboxOf(req.URL.Path)
	now := time.Now()
	s.mu.Lock()
	if s.boxes == nil {
		s.boxes = map[string]*simBox{}
	}
	b := s.boxes[mb]
	if b == nil {
		b = &simBox{tokens: s.bucketBurst, last: now}
		s.boxes[mb] = b
	}
	if ra, throttle := s.admit(b, now); throttle {
		if s.fixedRetryAfter > 0 {
			ra = s.fixedRetryAfter
		}
		s.throttled++
		s.mu.Unlock()
		return simResponse(req, 429, ra), nil
	}
	b.inflight++
	b.maxInflight = max(b.maxInflight, b.inflight)
	s.mu.Unlock()

	time.Sleep(s.latency)

	s.mu.Lock()
	s.ok++
	b.inflight--
	s.mu.Unlock()
	return simResponse(req, 200, 0), nil
}

// admit decides under s.mu whether a request may run.
func (s *mailboxServer) admit(b *simBox, now time.Time) (retryAfter int, throttle bool) {
	if s.concurrency > 0 && b.inflight >= s.concurrency {
		return 1, true
	}
	if s.window > 0 {
		cut := 0
		for cut < len(b.hits) && now.Sub(b.hits[cut]) >= s.window {
			cut++
		}
		b.hits = b.hits[cut:]
		if len(b.hits) >= s.limit {
			wait := b.hits[0].Add(s.window).Sub(now)
			if s.countThrottled {
				b.hits = append(b.hits, now)
			}
			return int(math.Ceil(wait.Seconds())), true
		}
		b.hits = append(b.hits, now)
	}
	if s.bucketRate > 0 {
		b.tokens = math.Min(s.bucketBurst, b.tokens+now.Sub(b.last).Seconds()*s.bucketRate)
		b.last = now
		if b.tokens < 1 {
			return int(math.Ceil((1 - b.tokens) / s.bucketRate)), true
		}
		b.tokens--
	}
	return 0, false
}

func simResponse(req *http.Request, status, retryAfter int) *http.Response {
	h := http.Header{"Content-Type": {"application/json"}}
	body := `{"value":[]}`
	if status != 200 {
		h.Set("Retry-After", strconv.Itoa(retryAfter))
		body = `{"error":{"code":"ApplicationThrottled","message":"Application is over its MailboxConcurrency limit."}}`
	}
	return &http.Response{StatusCode: status, Header: h, Body: io.NopCloser(strings.NewReader(body)),
		ContentLength: int64(len(body)), Request: req}
}

// mailboxOf returns the {id} of /v1.0/users/{id}/….
func mailboxOf(path string) string {
	parts := strings.Split(path, "/")
	for i, p := range parts {
		if p == "users" && i+1 < len(parts) {
			return parts[i+1]
		}
	}
	return ""
}

func simClient(tb testing.TB, rt http.RoundTripper) *Client {
	tb.Helper()
	c, err := New(Config{GraphURL: "https://graph.test/v1.0"}, Options{
		Credential: &fakeCred{}, Transport: rt,
	})
	if err != nil {
		tb.Fatal(err)
	}
	return c
}

// hammer runs workers goroutines calling GET on mailbox until d has passed,
// and returns the number of calls that failed.
func hammer(ctx context.Context, c *Client, mailbox string, workers int, d time.Duration) int {
	ctx, cancel := context.WithTimeout(ctx, d)
	defer cancel()
	var wg sync.WaitGroup
	var mu sync.Mutex
	failed := 0
	for range workers {
		wg.Go(func() {
			for ctx.Err() == nil {
				err := c.Get(ctx, userPath(mailbox)+"/messages", nil, WithResource(ClassMail, mailbox))
				if err != nil && ctx.Err() == nil {
					mu.Lock()
					failed++
					mu.Unlock()
				}
			}
		})
	}
	wg.Wait()
	return failed
}

func TestGovernorGatesMailboxConcurrency(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		srv := &mailboxServer{concurrency: 4, latency: 10 * time.Millisecond}
		c := simClient(t, srv)
		var wg sync.WaitGroup
		for _, mb := range []string{"adele", "bob"} {
			wg.Go(func() { hammer(t.Context(), c, mb, 32, 5*time.Second) })
		}
		wg.Wait()
		if srv.throttled != 0 {
			t.Errorf("%d requests throttled: the limiter must gate before sending", srv.throttled)
		}
		for mb, b := range srv.boxes {
			if b.maxInflight != 4 {
				t.Errorf("%s: max in flight %d, want exactly 4 (the limit, used fully)", mb, b.maxInflight)
			}
		}
		// 2 mailboxes × 4 slots / 10 ms × 5 s = 4,000 at most.
		if srv.ok < 3900 {
			t.Errorf("%d requests in 5 s, want about 4,000: mailboxes must not wait on each other", srv.ok)
		}
	})
}

// fenceServer answers the first request of mailbox "slow" with 429 and
// Retry-After: 30, and records when each request arrives.
type fenceServer struct {
	mu       sync.Mutex
	first    bool
	arrivals map[string][]time.Time
}

func (s *fenceServer) RoundTrip(req *http.Request) (*http.Response, error) {
	mb := mailboxOf(req.URL.Path)
	s.mu.Lock()
	if s.arrivals == nil {
		s.arrivals = map[string][]time.Time{}
	}
	s.arrivals[mb] = append(s.arrivals[mb], time.Now())
	throttle := mb == "slow" && !s.first
	if throttle {
		s.first = true
	}
	s.mu.Unlock()
	time.Sleep(5 * time.Millisecond)
	if throttle {
		return simResponse(req, 429, 30), nil
	}
	return simResponse(req, 200, 0), nil
}

func TestGovernorRetryAfterFencesOnlyItsMailbox(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		srv := &fenceServer{}
		c := simClient(t, srv)
		t0 := time.Now()
		get := func(mb string) error {
			return c.Get(t.Context(), userPath(mb)+"/messages", nil, WithResource(ClassMail, mb))
		}
		var wg sync.WaitGroup
		wg.Go(func() {
			if err := get("slow"); err != nil {
				t.Errorf("slow: %v", err)
			}
		})
		time.Sleep(time.Second) // the 429 has arrived and fenced "slow"
		wg.Go(func() {
			if err := get("slow"); err != nil {
				t.Errorf("slow second: %v", err)
			}
		})
		start := time.Now()
		for range 10 {
			if err := get("fast"); err != nil {
				t.Fatal(err)
			}
		}
		if d := time.Since(start); d > time.Second {
			t.Errorf("another mailbox took %v for 10 requests while one was fenced", d)
		}
		wg.Wait()
		slow := srv.arrivals["slow"]
		if len(slow) != 3 {
			t.Fatalf("slow mailbox saw %d requests, want 3 (429, retry, second call)", len(slow))
		}
		for _, at := range slow[1:] {
			if at.Sub(t0) < 30*time.Second {
				t.Errorf("request to the fenced mailbox at %v, before Retry-After (30s) ran out", at.Sub(t0))
			}
		}
		if r := c.Rate(ClassMail, "fast"); r != 0 {
			t.Errorf("rate of the healthy mailbox = %v, want unlimited (0)", r)
		}
		if s := c.Stats(); s.Throttled != 1 || s.Retries != 1 {
			t.Errorf("Stats = %+v, want 1 throttle and 1 retry", s)
		}
	})
}

// TestGovernorHammeredMailbox drives one mailbox with 16 goroutines against
// the server models and checks the bar: at least 90 % of the mailbox's
// ceiling with at most 2 % of requests throttled, and no failed calls.
func TestGovernorHammeredMailbox(t *testing.T) {
	for _, tc := range []struct {
		name    string
		srv     *mailboxServer
		ceiling float64 // requests per second the server allows
		run     time.Duration
		learns  bool // the mailbox's rate must converge near the ceiling
	}{
		{"concurrency only", &mailboxServer{concurrency: 4, latency: 20 * time.Millisecond}, 200, time.Minute, false},
		{"sliding window 30/s", &mailboxServer{concurrency: 4, latency: 20 * time.Millisecond,
			window: 10 * time.Second, limit: 300, countThrottled: true}, 30, 10 * time.Minute, true},
		{"token bucket 30/s", &mailboxServer{concurrency: 4, latency: 20 * time.Millisecond,
			bucketRate: 30, bucketBurst: 30}, 30, 10 * time.Minute, true},
		{"sliding window, Retry-After always 1", &mailboxServer{concurrency: 4, latency: 20 * time.Millisecond,
			window: 10 * time.Second, limit: 300, countThrottled: true, fixedRetryAfter: 1}, 30, 10 * time.Minute, true},
		{"token bucket, Retry-After always 1", &mailboxServer{concurrency: 4, latency: 20 * time.Millisecond,
			bucketRate: 30, bucketBurst: 30, fixedRetryAfter: 1}, 30, 10 * time.Minute, true},
		{"outlook 10000 per 10 min", &mailboxServer{concurrency: 4, latency: 30 * time.Millisecond,
			window: 10 * time.Minute, limit: 10000, countThrottled: true}, 10000.0 / 600, 60 * time.Minute, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				c := simClient(t, tc.srv)
				failed := hammer(t.Context(), c, "adele", 16, tc.run)
				achieved := float64(tc.srv.ok) / tc.run.Seconds() / tc.ceiling
				throttled := float64(tc.srv.throttled) / float64(tc.srv.ok+tc.srv.throttled)
				t.Logf("%s: %d ok, %d throttled: %.1f %% of ceiling, %.2f %% throttled, %d failed calls, final rate %.1f/s",
					tc.name, tc.srv.ok, tc.srv.throttled, 100*achieved, 100*throttled, failed, c.Rate(ClassMail, "adele"))
				if achieved < 0.9 {
					t.Errorf("achieved %.1f %% of the ceiling, want ≥ 90 %%", 100*achieved)
				}
				if throttled > 0.02 {
					t.Errorf("%.2f %% of requests throttled, want ≤ 2 %%", 100*throttled)
				}
				if failed > 0 {
					t.Errorf("%d calls failed", failed)
				}
				if r := c.Rate(ClassMail, "adele"); tc.learns && (r < 0.8*tc.ceiling || r > 1.25*tc.ceiling) {
					t.Errorf("learned rate %.1f/s, want within 20 %% of the ceiling %.1f/s", r, tc.ceiling)
				}
			})
		})
	}
}
