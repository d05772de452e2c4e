package graph

import (
	"math"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// maxRetryAfter caps a parsed Retry-After so that a garbage value (or an
// HTTP-date years ahead) cannot overflow a Duration. The per-call wait budget
// decides whether a long wait is honoured or returned to the caller.
const maxRetryAfter = 24 * time.Hour

// parseRetryAfter reads a Retry-After value: integer seconds ("120"),
// fractional seconds ("2.128", as Graph's throttling doc shows) or an
// HTTP-date (RFC 9110 §10.2.3), relative to now. It reports false when the
// value is absent or malformed. Negative and past values mean "now" (0).
func parseRetryAfter(v string, now time.Time) (time.Duration, bool) {
	v = strings.TrimSpace(v)
	if v == "" {
		return 0, false
	}
	if c := v[0]; c == '-' || c == '+' || c == '.' || (c >= '0' && c <= '9') {
		f, err := strconv.ParseFloat(v, 64)
		if err != nil || math.IsNaN(f) || math.IsInf(f, 0) {
			return 0, false
		}
		if f <= 0 {
			return 0, true
		}
		if f >= maxRetryAfter.Seconds() {
			return maxRetryAfter, true
		}
		return time.Duration(f * float64(time.Second)), true
	}
	t, err := http.ParseTime(v)
	if err != nil {
		return 0, false
	}
	d := t.Sub(now)
	switch {
	case d < 0:
		return 0, true
	case d > maxRetryAfter:
		return maxRetryAfter, true
	}
	return d, true
}
