package graph

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"net/url"
	"os"
	"strings"
	"syscall"
	"testing"
	"time"
)

func TestBackoffBounds(t *testing.T) {
	const base, cap = 100 * time.Millisecond, 3 * time.Second
	rng := rand.New(rand.NewPCG(1, 2))
	for attempt := 1; attempt <= 12; attempt++ {
		ceiling := base << (attempt - 1)
		if ceiling > cap {
			ceiling = cap
		}
		lo, hi := time.Duration(1<<62), time.Duration(0)
		for range 2000 {
			d := backoff(attempt, base, cap, rng.Float64())
			if d < ceiling/2 || d > ceiling {
				t.Fatalf("attempt %d: backoff %v outside [%v, %v]", attempt, d, ceiling/2, ceiling)
			}
			lo, hi = min(lo, d), max(hi, d)
		}
		// The jitter must actually spread retries over the interval.
		if spread := hi - lo; spread < ceiling/4 {
			t.Errorf("attempt %d: draws span only %v of [%v, %v]", attempt, spread, ceiling/2, ceiling)
		}
	}
	if d := backoff(0, base, cap, 0); d != base/2 {
		t.Errorf("attempt 0 = %v, want %v (treated as the first)", d, base/2)
	}
	if d := backoff(1000, base, cap, 0.999); d > cap {
		t.Errorf("attempt 1000 = %v, over the cap %v (overflow)", d, cap)
	}
}

func TestRetryableStatus(t *testing.T) {
	for _, tc := range []struct {
		status int
		safe   bool
		want   bool
	}{
		{429, false, true}, // rejected before it ran: safe for any method
		{429, true, true},
		{503, true, true},
		{503, false, false},
		{504, true, true},
		{504, false, false},
		{500, true, false},
		{400, true, false},
		{401, true, false},
		{403, true, false},
		{404, true, false},
		{409, true, false},
	} {
		if got := retryableStatus(tc.status, tc.safe); got != tc.want {
			t.Errorf("retryableStatus(%d, safe=%v) = %v, want %v", tc.status, tc.safe, got, tc.want)
		}
	}
	for m, want := range map[string]bool{"GET": true, "HEAD": true, "PUT": true, "DELETE": true, "POST": false, "PATCH": false} {
		if idempotent(m) != want {
			t.Errorf("idempotent(%s) = %v", m, !want)
		}
	}
}

type timeoutErr struct{}

func (timeoutErr) Error() string   { return "i/o timeout" }
func (timeoutErr) Timeout() bool   { return true }
func (timeoutErr) Temporary() bool { return true }

func TestTransient(t *testing.T) {
	reset := &net.OpError{Op: "read", Net: "tcp", Err: os.NewSyscallError("read", syscall.ECONNRESET)}
	for _, tc := range []struct {
		err  error
		want bool
	}{
		{reset, true},
		{&url.Error{Op: "Get", URL: "https://x", Err: reset}, true},
		{fmt.Errorf("wrapped: %w", io.ErrUnexpectedEOF), true},
		{io.EOF, true},
		{timeoutErr{}, true},
		{context.Canceled, false},
		{&url.Error{Op: "Get", URL: "https://x", Err: context.DeadlineExceeded}, false},
		{errors.New("x509: certificate signed by unknown authority"), false},
		{nil, false},
	} {
		if got := transient(tc.err); got != tc.want {
			t.Errorf("transient(%v) = %v, want %v", tc.err, got, tc.want)
		}
	}
}

func TestScrubURLError(t *testing.T) {
	const secretURL = "https://dl.example/download/abc?tempauth=SECRET"
	err := &url.Error{Op: "Get", URL: secretURL, Err: io.ErrUnexpectedEOF}
	if s := scrubURLError(err, true).Error(); strings.Contains(s, "SECRET") || strings.Contains(s, "/download/abc") {
		t.Errorf("pre-authenticated URL leaked: %s", s)
	}
	if s := scrubURLError(err, false).Error(); strings.Contains(s, "SECRET") || !strings.Contains(s, "/download/abc") {
		t.Errorf("graph URL error = %s, want path kept and query dropped", s)
	}
	if !errors.Is(scrubURLError(err, true), io.ErrUnexpectedEOF) {
		t.Error("scrubbing lost the cause")
	}
}
