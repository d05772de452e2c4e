package graph

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/policy"
)

// fakeCred hands out numbered tokens valid for life.
type fakeCred struct {
	mu    sync.Mutex
	n     int
	life  time.Duration
	now   func() time.Time
	err   error
	calls int
}

func (f *fakeCred) GetToken(_ context.Context, _ policy.TokenRequestOptions) (azcore.AccessToken, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.calls++
	if f.err != nil {
		return azcore.AccessToken{}, f.err
	}
	f.n++
	now := time.Now
	if f.now != nil {
		now = f.now
	}
	life := f.life
	if life == 0 {
		life = time.Hour
	}
	return azcore.AccessToken{Token: fmt.Sprintf("secret-token-%d", f.n), ExpiresOn: now().Add(life)}, nil
}

func (f *fakeCred) Calls() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.calls
}

// testClient starts an httptest server running h and returns a Client whose
// Graph base URL is srv.URL+"/v1.0", with fast retries and a log buffer.
func testClient(tb testing.TB, h http.Handler, opts Options) (*Client, *httptest.Server, *bytes.Buffer) {
	tb.Helper()
	srv := httptest.NewServer(h)
	tb.Cleanup(srv.Close)
	var logs bytes.Buffer
	var mu sync.Mutex
	if opts.Credential == nil {
		opts.Credential = &fakeCred{}
	}
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.NewTextHandler(&lockedWriter{w: &logs, mu: &mu}, &slog.HandlerOptions{Level: slog.LevelDebug}))
	}
	if opts.RetryBaseDelay == 0 {
		opts.RetryBaseDelay = time.Millisecond
	}
	if opts.RetryMaxDelay == 0 {
		opts.RetryMaxDelay = 5 * time.Millisecond
	}
	c, err := New(Config{GraphURL: srv.URL + "/v1.0"}, opts)
	if err != nil {
		tb.Fatal(err)
	}
	return c, srv, &logs
}

type lockedWriter struct {
	w  *bytes.Buffer
	mu *sync.Mutex
}

func (l *lockedWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(p)
}

// writeJSON writes a JSON response.
func writeJSON(w http.ResponseWriter, status int, body string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_, _ = w.Write([]byte(body))
}

// graphError writes a Graph error body.
func graphError(w http.ResponseWriter, status int, code, msg string) {
	writeJSON(w, status, fmt.Sprintf(`{"error":{"code":%q,"message":%q,"innerError":{"request-id":"req-1","date":"2024-01-01T00:00:00"}}}`, code, msg))
}

// dropConnection closes the client connection without a response.
func dropConnection(tb testing.TB, w http.ResponseWriter) {
	hj, ok := w.(http.Hijacker)
	if !ok {
		tb.Fatal("response writer cannot hijack")
	}
	conn, _, err := hj.Hijack()
	if err != nil {
		tb.Fatal(err)
	}
	conn.Close()
}

func jsonUnmarshal(data []byte, v any) error { return json.Unmarshal(data, v) }

// timeAfter returns a channel that fires after ms milliseconds.
func timeAfter(ms int) <-chan time.Time { return time.After(time.Duration(ms) * time.Millisecond) }
