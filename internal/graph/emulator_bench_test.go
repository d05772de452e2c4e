package graph_test

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"os"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/safeguard365/safeguard365/internal/graph"
	"github.com/safeguard365/safeguard365/internal/m365sim"
)

// EnvGovernorTimeScale overrides the benchmark's time scale (default 60:
// the 10-minute Outlook window lasts 10 s, a ceiling of 1,000 req/s).
const EnvGovernorTimeScale = "SG365_BENCH_TIMESCALE"

// throttleTally counts the 429s the client receives by the limit the
// emulator names in the error message, reading only those bodies.
type throttleTally struct {
	base              http.RoundTripper
	concurrency, rate atomic.Int64
	other             atomic.Int64
}

func (tt *throttleTally) RoundTrip(r *http.Request) (*http.Response, error) {
	resp, err := tt.base.RoundTrip(r)
	if err != nil || resp.StatusCode != http.StatusTooManyRequests {
		return resp, err
	}
	body, _ := io.ReadAll(io.LimitReader(resp.Body, 64<<10))
	resp.Body.Close()
	resp.Body = io.NopCloser(bytes.NewReader(body))
	switch s := string(body); {
	case strings.Contains(s, "MailboxConcurrency"):
		tt.concurrency.Add(1)
	case strings.Contains(s, "MailboxRequestRate"):
		tt.rate.Add(1)
	default:
		tt.other.Add(1)
	}
	return resp, nil
}

// hammer runs workers goroutines calling GetMessage on one mailbox until d
// has passed, and returns the successful calls and the failed ones.
func hammer(ctx context.Context, c *graph.Client, user string, ids []string, workers int, d time.Duration) (ok, failed int64) {
	ctx, cancel := context.WithTimeout(ctx, d)
	defer cancel()
	var nOK, nFail atomic.Int64
	var wg sync.WaitGroup
	for w := range workers {
		wg.Go(func() {
			for i := w; ctx.Err() == nil; i += workers {
				_, err := c.GetMessage(ctx, user, ids[i%len(ids)], &graph.GetOptions{Select: []string{"id", "subject"}})
				switch {
				case err == nil:
					nOK.Add(1)
				case ctx.Err() == nil:
					nFail.Add(1)
				}
			}
		})
	}
	wg.Wait()
	return nOK.Load(), nFail.Load()
}

// BenchmarkEmulatorGovernorMailbox drives one mailbox at the emulator's real
// Outlook limits (10,000 requests per 10 minutes and 4 concurrent requests
// per app and mailbox), with windows shrunk by the time scale, from 16
// goroutines calling GetMessage for three windows. It reports
//
//   - ceiling-fraction: successful req/s over the ceiling (limit/window);
//     the target is at least 0.9;
//   - throttled-%: 429s over all requests, from the emulator's counters;
//     the target is at most 2 %;
//   - capacity-req/s: what the emulator and client manage together in this
//     process with the rate limit off (the ceiling must sit well below it
//     for the first two numbers to measure the governor).
//
// Run it with scripts/bench-governor.sh.
func BenchmarkEmulatorGovernorMailbox(b *testing.B) {
	scale := 60.0
	if v := os.Getenv(EnvGovernorTimeScale); v != "" {
		s, err := strconv.ParseFloat(v, 64)
		if err != nil || s <= 0 {
			b.Fatalf("%s=%q: want a positive number", EnvGovernorTimeScale, v)
		}
		scale = s
	}
	lim := scaledLimits(scale)
	window := time.Duration(float64(lim.Outlook.Requests.Window) / scale)
	ceiling := float64(lim.Outlook.Requests.Limit) / window.Seconds()
	const workers = 16

	// Capacity: the same emulator and client, mailbox rate limit off.
	capacity := func() float64 {
		off := scaledLimits(scale)
		off.Outlook.Requests.Limit = 0
		l := m365sim.Start(b, m365sim.Options{Users: 1, Seed: 11, MessagesPerUser: 50, FilesPerUser: -1, Limits: off})
		c := newEmulatorClient(b, l, graph.Options{})
		user := mailboxUsers(b, l)[0]
		ids := messageIDs(l, user)
		hammer(b.Context(), c, user, ids, workers, 300*time.Millisecond) // token, connections
		const d = 2 * time.Second
		ok, _ := hammer(b.Context(), c, user, ids, workers, d)
		return float64(ok) / d.Seconds()
	}()

	l := m365sim.Start(b, m365sim.Options{Users: 1, Seed: 11, MessagesPerUser: 50, FilesPerUser: -1, Limits: lim})
	tally := &throttleTally{base: emulatorTransport(l)}
	c := newEmulatorClient(b, l, graph.Options{Transport: tally})
	user := mailboxUsers(b, l)[0]
	ids := messageIDs(l, user)
	// A token and warm connections before the clock starts; then zero the
	// emulator's counters (these few requests count in its window).
	if _, err := c.GetMessage(b.Context(), user, ids[0], nil); err != nil {
		b.Fatal(err)
	}
	if err := l.Control(http.MethodPost, "stats/reset", nil, nil); err != nil {
		b.Fatal(err)
	}
	before := c.Stats()

	b.ResetTimer()
	var ok, failed int64
	var elapsed time.Duration
	for range b.N {
		start := time.Now()
		o, f := hammer(b.Context(), c, user, ids, workers, 3*window)
		elapsed += time.Since(start)
		ok, failed = ok+o, failed+f
	}
	b.StopTimer()

	es, cs := l.Stats(), c.Stats()
	achieved := float64(ok) / elapsed.Seconds()
	throttled := 0.0
	if es.Requests > 0 {
		throttled = 100 * float64(es.Status[http.StatusTooManyRequests]) / float64(es.Requests)
	}
	b.ReportMetric(achieved/ceiling, "ceiling-fraction")
	b.ReportMetric(throttled, "throttled-%")
	b.ReportMetric(capacity, "capacity-req/s")
	b.ReportMetric(achieved, "req/s")
	b.ReportMetric(float64(failed), "failed")
	b.Logf("time scale %g: window %v, ceiling %.0f req/s, capacity %.0f req/s; %d ok, %d failed in %v (%.0f req/s); "+
		"emulator %d requests, %d answered 429 (concurrency %d, rate %d, other %d); client retries %d, waited %v, mailbox rate %.0f req/s",
		scale, window, ceiling, capacity, ok, failed, elapsed.Round(time.Millisecond), achieved,
		es.Requests, es.Status[http.StatusTooManyRequests], tally.concurrency.Load(), tally.rate.Load(), tally.other.Load(),
		cs.Retries-before.Retries, cs.RetryWait-before.RetryWait, c.Rate(graph.ClassMail, user))
}

// messageIDs returns the immutable ids of a user's messages.
func messageIDs(l *m365sim.Listener, user string) []string {
	var ids []string
	for id := range tenantMessages(l, user) {
		ids = append(ids, id)
	}
	return ids
}
