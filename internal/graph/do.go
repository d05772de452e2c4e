package graph

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"strconv"
	"sync"
	"time"
)

// Do sends req through the governor and the retry layer. For a 2xx or 3xx
// status it returns the response with its body open; the caller must close
// it, and until then the request holds its resource's concurrency slot.
// Redirects are not followed. Any other status is returned as an *APIError
// (see translate); transport failures are returned wrapped, with any
// pre-authenticated URL removed.
func (c *Client) Do(ctx context.Context, req *Request) (*http.Response, error) {
	resp, err := c.do(ctx, req)
	if err != nil {
		c.m.nFailed.Add(1)
	}
	return resp, err
}

func (c *Client) do(ctx context.Context, req *Request) (*http.Response, error) {
	method, class, op := req.method(), req.class(), req.op()
	target := req.target(c.base)
	if !req.noAuth && !c.sameOrigin(target) {
		// A nextLink or caller URL on another host must never get our token.
		return nil, fmt.Errorf("graph: %s: refusing to send a token to %s", op, redactURL(target))
	}
	safe := idempotent(method) || req.RetrySafe || isRetrySafe(ctx)
	crid := newRequestID()
	req.markBody()
	var (
		waited    time.Duration
		refreshed bool
		lastErr   error
	)
	for attempt := 1; ; attempt++ {
		if attempt > 1 && !req.rewind() {
			return nil, lastErr // the body is gone; the caller must resend
		}
		token := ""
		if !req.noAuth {
			t, err := c.tokens.token(ctx)
			if err != nil {
				return nil, err
			}
			token = t
		}
		p, err := c.gov.acquire(ctx, class, req.Resource, req.cost, req.slots)
		if err != nil {
			return nil, err
		}
		sent := time.Now()
		resp, err := c.send(ctx, req, method, target, crid, token)
		c.logRequest(ctx, op, attempt, resp, err, time.Since(sent))

		var delay time.Duration
		var reason string
		if err != nil {
			p.release(0, 0)
			c.m.request(class, 0)
			if ctx.Err() != nil {
				return nil, ctx.Err()
			}
			lastErr = fmt.Errorf("graph: %s: %w", op, scrubURLError(err, req.noAuth))
			if !transient(err) || !safe {
				return nil, lastErr
			}
			delay = backoff(attempt, c.opts.RetryBaseDelay, c.opts.RetryMaxDelay, c.jitter())
			reason = "connection"
		} else {
			c.m.request(class, resp.StatusCode)
			if resp.StatusCode < 400 {
				resp.Body = &permitBody{rc: resp.Body, p: p, status: resp.StatusCode, class: class, m: c.m}
				return resp, nil
			}
			apiErr := c.readError(op, resp)
			p.release(resp.StatusCode, apiErr.RetryAfter)
			lastErr = apiErr
			if resp.StatusCode == http.StatusUnauthorized && c.tokenRejected(apiErr.Code) &&
				!refreshed && token != "" {
				// The token expired or was revoked early: refresh once.
				refreshed = true
				c.tokens.invalidate(token)
				c.m.retry(class, "auth", 0)
				c.log.Debug("graph token rejected, refreshing", "op", op)
				attempt--
				continue
			}
			if !retryableStatus(resp.StatusCode, safe) {
				return nil, apiErr
			}
			delay = apiErr.RetryAfter
			if delay <= 0 {
				delay = backoff(attempt, c.opts.RetryBaseDelay, c.opts.RetryMaxDelay, c.jitter())
			}
			reason = strconv.Itoa(resp.StatusCode)
		}
		if attempt >= c.opts.MaxAttempts || waited+delay > c.opts.MaxRetryWait {
			return nil, lastErr
		}
		waited += delay
		c.m.retry(class, reason, delay)
		c.log.Debug("graph retry", "op", op, "attempt", attempt, "reason", reason, "delay", delay)
		if err := sleep(ctx, delay); err != nil {
			return nil, err
		}
	}
}

// tokenRejected reports whether a 401's error code says the bearer token
// itself was refused (expired or revoked early), which one fresh token can
// fix. Graph answers InvalidAuthenticationToken. The Defender for Endpoint
// API answers {"error":{"code":"Unauthorized"}} for an "invalid or expired
// authorization header"
// (https://learn.microsoft.com/en-us/defender-endpoint/api/common-errors);
// that code is trusted only on a client holding MDE tokens, so a Graph 401
// with another meaning is not retried.
func (c *Client) tokenRejected(code string) bool {
	switch code {
	case "InvalidAuthenticationToken":
		return true
	case "Unauthorized":
		return len(c.tokens.scopes) == 1 && c.tokens.scopes[0] == MDEResource+"/.default"
	}
	return false
}

// send performs one HTTP exchange.
func (c *Client) send(ctx context.Context, req *Request, method, target, crid, token string) (*http.Response, error) {
	var body io.Reader = http.NoBody
	n := contentLength(req.Body)
	if req.Body != nil && n != 0 {
		// NopCloser: net/http closes request bodies, and the caller's
		// reader (a file, say) must survive for retries.
		body = io.NopCloser(req.Body)
	}
	hreq, err := http.NewRequestWithContext(ctx, method, target, body)
	if err != nil {
		return nil, err
	}
	if n > 0 {
		hreq.ContentLength = n
	}
	for k, vs := range req.Header {
		hreq.Header[k] = append([]string(nil), vs...)
	}
	hreq.Header.Set("User-Agent", c.opts.UserAgent)
	if !req.noAuth {
		hreq.Header.Set("Authorization", "Bearer "+token)
		hreq.Header.Set("client-request-id", crid)
		hreq.Header.Set("return-client-request-id", "true")
		if req.class().service() == serviceOutlook && !c.opts.DisableImmutableIDs {
			addPrefer(hreq.Header, `IdType="ImmutableId"`)
		}
	}
	resp, err := c.hc.Do(hreq)
	if err == nil && n > 0 {
		c.m.up(req.class(), n)
	}
	return resp, err
}

// logRequest logs one exchange at Debug: never headers, and the op names a
// pre-authenticated URL by its host only.
func (c *Client) logRequest(ctx context.Context, op string, attempt int, resp *http.Response, err error, d time.Duration) {
	if !c.log.Enabled(ctx, slog.LevelDebug) {
		return
	}
	status := 0
	if resp != nil {
		status = resp.StatusCode
	}
	c.log.LogAttrs(ctx, slog.LevelDebug, "graph request", slog.String("op", op), slog.Int("attempt", attempt),
		slog.Int("status", status), slog.Duration("duration", d), slog.Bool("failed", err != nil))
}

// addPrefer appends a preference to the Prefer header (RFC 7240 allows a
// comma-separated list).
func addPrefer(h http.Header, pref string) {
	if cur := h.Get("Prefer"); cur != "" {
		h.Set("Prefer", cur+", "+pref)
		return
	}
	h.Set("Prefer", pref)
}

// readError reads a failed response's body and translates it.
func (c *Client) readError(op string, resp *http.Response) *APIError {
	body, _ := io.ReadAll(io.LimitReader(resp.Body, maxErrorBody))
	// Drain a little more so the connection can be reused, then close.
	_, _ = io.CopyN(io.Discard, resp.Body, 256<<10)
	resp.Body.Close()
	return translate(op, resp.StatusCode, resp.Header, body, c.opts.Now())
}

// permitBody releases the request's permit when the body is read to the end
// or closed, whichever comes first, and counts bytes read.
type permitBody struct {
	rc     io.ReadCloser
	p      *permit
	status int
	class  Class
	m      *metrics
	once   sync.Once
}

func (b *permitBody) Read(p []byte) (int, error) {
	n, err := b.rc.Read(p)
	b.m.down(b.class, n)
	if err == io.EOF {
		b.done()
	}
	return n, err
}

func (b *permitBody) Close() error {
	b.done()
	return b.rc.Close()
}

func (b *permitBody) done() { b.once.Do(func() { b.p.release(b.status, 0) }) }

// newRequestID returns a random UUID (version 4) for client-request-id,
// which Graph echoes in responses and error bodies for support cases.
func newRequestID() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:])
}

// doRead sends req and reads its whole body, at most limit+1 bytes. A body
// cut short by a dropped connection fails like a reset connection does, so
// the exchange is repeated under the same rules: only for requests that are
// safe to repeat, within MaxAttempts.
func (c *Client) doRead(ctx context.Context, req *Request, limit int64) (*http.Response, []byte, error) {
	safe := idempotent(req.method()) || req.RetrySafe || isRetrySafe(ctx)
	for attempt := 1; ; attempt++ {
		resp, err := c.Do(ctx, req)
		if err != nil {
			return nil, nil, err
		}
		data, err := io.ReadAll(io.LimitReader(resp.Body, limit+1))
		resp.Body.Close()
		if err == nil {
			return resp, data, nil
		}
		if ctx.Err() != nil {
			return nil, nil, ctx.Err()
		}
		err = fmt.Errorf("graph: %s: read response: %w", req.op(), scrubURLError(err, req.noAuth))
		if !transient(errors.Unwrap(err)) || !safe || attempt >= c.opts.MaxAttempts || !req.rewind() {
			return nil, nil, err
		}
		delay := backoff(attempt, c.opts.RetryBaseDelay, c.opts.RetryMaxDelay, c.jitter())
		c.m.retry(req.class(), "body", delay)
		c.log.Debug("graph retry", "op", req.op(), "attempt", attempt, "reason", "body", "delay", delay)
		if err := sleep(ctx, delay); err != nil {
			return nil, nil, err
		}
	}
}
