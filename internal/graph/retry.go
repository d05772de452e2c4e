package graph

import (
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"net/url"
	"syscall"
	"time"
)

// backoff returns the delay before retry number attempt (1-based) when the
// server gave no Retry-After: exponential from base, capped at max, with
// "equal jitter" so the delay lies in [d/2, d]. The lower bound keeps a herd
// of clients from retrying at once without ever retrying immediately; u is a
// uniform draw from [0, 1).
func backoff(attempt int, base, max time.Duration, u float64) time.Duration {
	if attempt < 1 {
		attempt = 1
	}
	d := base
	for i := 1; i < attempt && d < max; i++ {
		d *= 2
	}
	if d > max || d <= 0 {
		d = max
	}
	half := d / 2
	return half + time.Duration(u*float64(d-half))
}

// idempotent reports whether repeating the method cannot duplicate an effect
// (RFC 9110 §9.2.2). PUT qualifies: Graph's PUTs replace content or write a
// byte range of an upload session, both safe to repeat.
func idempotent(method string) bool {
	switch method {
	case http.MethodGet, http.MethodHead, http.MethodOptions, http.MethodPut, http.MethodDelete:
		return true
	}
	return false
}

// retryableStatus reports whether a status is worth retrying. A 429 is
// retried for every method: Graph rejected the request before running it.
// 503 and 504 may come after the work was done, so writes are retried only
// when safe.
func retryableStatus(status int, safe bool) bool {
	switch status {
	case http.StatusTooManyRequests:
		return true
	case http.StatusServiceUnavailable, http.StatusGatewayTimeout:
		return safe
	}
	return false
}

// transient reports whether a transport error is a dropped or reset
// connection or a timeout, which a retry may cure. Context cancellation is
// never transient.
func transient(err error) bool {
	if err == nil || errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return false
	}
	if errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, io.EOF) ||
		errors.Is(err, syscall.ECONNRESET) || errors.Is(err, syscall.ECONNABORTED) ||
		errors.Is(err, syscall.EPIPE) {
		return true
	}
	var ne net.Error
	return errors.As(err, &ne) && ne.Timeout()
}

// scrubURLError replaces the URL inside a *url.Error (net/http's transport
// error) so that a pre-authenticated URL's credential never reaches an error
// message or a log.
func scrubURLError(err error, noAuth bool) error {
	var ue *url.Error
	if !errors.As(err, &ue) {
		return err
	}
	scrubbed := *ue
	if noAuth {
		scrubbed.URL = redactURL(ue.URL)
	} else if u, perr := url.Parse(ue.URL); perr == nil {
		u.RawQuery = ""
		scrubbed.URL = u.String()
	}
	return &scrubbed
}
