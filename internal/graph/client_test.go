package graph

import (
	"context"
	"errors"
	"io"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

func TestRetryHonoursRetryAfter(t *testing.T) {
	var n atomic.Int32
	var first time.Time
	var gap time.Duration
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch n.Add(1) {
		case 1:
			first = time.Now()
			w.Header().Set("Retry-After", "0.2")
			graphError(w, 429, "TooManyRequests", "Please retry again later.")
		default:
			gap = time.Since(first)
			writeJSON(w, 200, `{"id":"u1","displayName":"Adele"}`)
		}
	})
	c, _, _ := testClient(t, h, Options{})
	u, err := c.User(t.Context(), "adele@contoso.test", nil)
	if err != nil {
		t.Fatal(err)
	}
	if u.DisplayName != "Adele" || !strings.Contains(string(u.Raw), `"displayName":"Adele"`) {
		t.Errorf("user = %+v raw %s", u, u.Raw)
	}
	if n.Load() != 2 {
		t.Errorf("%d requests, want 2", n.Load())
	}
	if gap < 200*time.Millisecond {
		t.Errorf("retried after %v, before Retry-After 0.2s", gap)
	}
	if s := c.Stats(); s.Retries != 1 || s.Throttled != 1 || s.RetryWait < 200*time.Millisecond || s.Failed != 0 {
		t.Errorf("Stats = %+v", s)
	}
}

func TestRetryPolicy(t *testing.T) {
	for _, tc := range []struct {
		name     string
		method   string
		status   int
		safeCtx  bool
		safeOpt  bool
		maxTries int
		want     int // requests the server sees
		wantErr  error
	}{
		{"GET 503 retried to the cap", "GET", 503, false, false, 4, 4, ErrThrottled},
		{"GET 504 retried", "GET", 504, false, false, 3, 3, nil},
		{"POST 503 not retried", "POST", 503, false, false, 4, 1, ErrThrottled},
		{"POST 503 retried under RetrySafe(ctx)", "POST", 503, true, false, 4, 4, ErrThrottled},
		{"PATCH 504 retried with WithRetrySafe", "PATCH", 504, false, true, 3, 3, nil},
		{"POST 429 retried: not executed", "POST", 429, false, false, 3, 3, ErrThrottled},
		{"GET 400 never retried", "GET", 400, false, false, 4, 1, ErrBadRequest},
		{"GET 403 never retried", "GET", 403, false, false, 4, 1, ErrForbidden},
		{"GET 404 never retried", "GET", 404, false, false, 4, 1, ErrNotFound},
		{"GET 500 not retried", "GET", 500, false, false, 4, 1, nil},
		{"DELETE 503 retried", "DELETE", 503, false, false, 2, 2, ErrThrottled},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var n atomic.Int32
			h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				n.Add(1)
				graphError(w, tc.status, "x", "no")
			})
			c, _, _ := testClient(t, h, Options{MaxAttempts: tc.maxTries})
			ctx := t.Context()
			if tc.safeCtx {
				ctx = RetrySafe(ctx)
			}
			var opts []RequestOption
			if tc.safeOpt {
				opts = append(opts, WithRetrySafe())
			}
			err := c.Send(ctx, tc.method, "/users/u1/messages", map[string]string{"subject": "x"}, nil, opts...)
			var apiErr *APIError
			if !errors.As(err, &apiErr) || apiErr.Status != tc.status {
				t.Fatalf("err = %v, want an *APIError with status %d", err, tc.status)
			}
			if tc.wantErr != nil && !errors.Is(err, tc.wantErr) {
				t.Errorf("err = %v, want %v", err, tc.wantErr)
			}
			if got := n.Load(); got != int32(tc.want) {
				t.Errorf("server saw %d requests, want %d", got, tc.want)
			}
		})
	}
}

func TestRetryBodyIsResent(t *testing.T) {
	var bodies []string
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		bodies = append(bodies, string(b))
		if len(bodies) == 1 {
			graphError(w, 429, "TooManyRequests", "")
			return
		}
		writeJSON(w, 201, `{"id":"m1"}`)
	})
	c, _, _ := testClient(t, h, Options{})
	m, err := c.CreateMessage(t.Context(), "u1", "inbox", rawJSON(`{"subject":"hello"}`))
	if err != nil || m.ID != "m1" {
		t.Fatalf("CreateMessage = %v, %v", m, err)
	}
	if len(bodies) != 2 || bodies[0] != bodies[1] || bodies[1] != `{"subject":"hello"}` {
		t.Errorf("bodies = %q, want the same body twice", bodies)
	}
}

func TestRetryWaitBudget(t *testing.T) {
	var n atomic.Int32
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n.Add(1)
		w.Header().Set("Retry-After", "30")
		graphError(w, 429, "ApplicationThrottled", "Application is over its MailboxConcurrency limit.")
	})
	c, _, _ := testClient(t, h, Options{MaxRetryWait: time.Second})
	start := time.Now()
	_, err := c.GetMessage(t.Context(), "u1", "m1", nil)
	var apiErr *APIError
	if !errors.As(err, &apiErr) || apiErr.RetryAfter != 30*time.Second || !IsThrottled(err) {
		t.Fatalf("err = %v, want a throttle carrying RetryAfter 30s", err)
	}
	if n.Load() != 1 || time.Since(start) > 500*time.Millisecond {
		t.Errorf("%d requests in %v: a Retry-After beyond the budget must return at once", n.Load(), time.Since(start))
	}
}

func TestConnectionResetRetry(t *testing.T) {
	for _, tc := range []struct {
		method string
		want   int32
	}{{"GET", 2}, {"POST", 1}} {
		t.Run(tc.method, func(t *testing.T) {
			var n atomic.Int32
			h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				if n.Add(1) == 1 {
					dropConnection(t, w)
					return
				}
				writeJSON(w, 200, `{}`)
			})
			c, _, _ := testClient(t, h, Options{})
			err := c.Send(t.Context(), tc.method, "/users/u1", nil, nil)
			if got := n.Load(); got != tc.want {
				t.Errorf("server saw %d requests, want %d", got, tc.want)
			}
			if (tc.want == 2) != (err == nil) {
				t.Errorf("err = %v", err)
			}
		})
	}
}

func TestExpiredTokenRefreshedOnce(t *testing.T) {
	var seen []string
	rejectAll := false
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		seen = append(seen, r.Header.Get("Authorization"))
		if len(seen) == 1 || rejectAll {
			w.Header().Set("WWW-Authenticate", `Bearer realm=""`)
			graphError(w, 401, "InvalidAuthenticationToken", "Lifetime validation failed, the token is expired.")
			return
		}
		writeJSON(w, 200, `{"id":"u1"}`)
	})
	cred := &fakeCred{}
	c, _, logs := testClient(t, h, Options{Credential: cred})
	if _, err := c.User(t.Context(), "u1", nil); err != nil {
		t.Fatal(err)
	}
	if len(seen) != 2 || seen[0] == seen[1] || cred.Calls() != 2 {
		t.Fatalf("authorizations %q with %d token fetches, want two different tokens", seen, cred.Calls())
	}

	// A token Graph keeps rejecting is refreshed once, then the 401 returns.
	rejectAll, seen = true, nil
	_, err := c.User(t.Context(), "u1", nil)
	if !IsAuth(err) || len(seen) != 2 {
		t.Fatalf("err = %v after %d requests, want IsAuth after 2", err, len(seen))
	}
	if strings.Contains(err.Error(), "secret-token") || strings.Contains(logs.String(), "secret-token") {
		t.Errorf("token leaked: err %q logs %q", err, logs.String())
	}
}

func TestTokenFailureIsAuth(t *testing.T) {
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { t.Error("request sent without a token") })
	c, _, _ := testClient(t, h, Options{Credential: &fakeCred{err: errors.New("AADSTS7000215: Invalid client secret provided")}})
	_, err := c.User(t.Context(), "u1", nil)
	if !IsAuth(err) || !strings.Contains(err.Error(), "AADSTS7000215") {
		t.Fatalf("err = %v, want IsAuth with the credential's reason", err)
	}
}

func TestHeadersSent(t *testing.T) {
	var got http.Header
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		got = r.Header.Clone()
		writeJSON(w, 200, `{"id":"m1"}`)
	})
	c, _, _ := testClient(t, h, Options{})
	if _, err := c.GetMessage(t.Context(), "u1", "m1", nil); err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(got.Get("Authorization"), "Bearer secret-token-") {
		t.Errorf("Authorization = %q", got.Get("Authorization"))
	}
	if got.Get("Prefer") != `IdType="ImmutableId"` {
		t.Errorf("Prefer = %q, want immutable ids on Outlook calls", got.Get("Prefer"))
	}
	if len(got.Get("client-request-id")) != 36 || got.Get("User-Agent") != "NONISV|SafeGuard365|sg365" {
		t.Errorf("client-request-id %q, User-Agent %q", got.Get("client-request-id"), got.Get("User-Agent"))
	}
	if _, err := c.User(t.Context(), "u1", nil); err != nil {
		t.Fatal(err)
	}
	if got.Get("Prefer") != "" {
		t.Errorf("directory call sent Prefer %q", got.Get("Prefer"))
	}
}

func TestNoTokenToForeignHost(t *testing.T) {
	other := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		t.Errorf("foreign host received a request with Authorization %q", r.Header.Get("Authorization"))
	})
	_, foreign, _ := testClient(t, other, Options{})
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, 200, `{"value":[{"id":"1"}],"@odata.nextLink":"`+foreign.URL+`/v1.0/users?$skiptoken=x"}`)
	})
	c, _, _ := testClient(t, h, Options{})
	var err error
	n := 0
	for _, e := range c.Users(t.Context(), nil) {
		if e != nil {
			err = e
			break
		}
		n++
	}
	if n != 1 || err == nil || !strings.Contains(err.Error(), "refusing to send a token") {
		t.Errorf("got %d users, err %v; want 1 and a refusal", n, err)
	}
}

func TestErrorsAndLogsNeverHoldToken(t *testing.T) {
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Retry-After", "0")
		graphError(w, 503, "serviceNotAvailable", "busy")
	})
	c, _, logs := testClient(t, h, Options{MaxAttempts: 3})
	_, err := c.UserDrive(t.Context(), "u1")
	if err == nil {
		t.Fatal("want an error")
	}
	for name, s := range map[string]string{"error": err.Error(), "logs": logs.String()} {
		if strings.Contains(s, "secret-token") || strings.Contains(s, "Bearer") {
			t.Errorf("%s holds the token: %s", name, s)
		}
	}
	if !strings.Contains(logs.String(), "graph retry") {
		t.Errorf("logs = %q, want retries logged", logs.String())
	}
}

func TestContextCancelStopsRetries(t *testing.T) {
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Retry-After", "5")
		graphError(w, 429, "TooManyRequests", "")
	})
	c, _, _ := testClient(t, h, Options{})
	ctx, cancel := context.WithTimeout(t.Context(), 100*time.Millisecond)
	defer cancel()
	start := time.Now()
	_, err := c.User(ctx, "u1", nil)
	if !errors.Is(err, context.DeadlineExceeded) || time.Since(start) > time.Second {
		t.Errorf("err = %v after %v, want the context's error promptly", err, time.Since(start))
	}
}

// rawJSON is a JSON body literal.
func rawJSON(s string) []byte { return []byte(s) }
