package limits

import (
	"net/http"
	"strconv"
	"sync/atomic"
	"time"
)

// Ticket is an admitted request. Call Done exactly once when the response is
// complete, so its concurrency slots free up; further calls, and calls on the
// zero Ticket that accompanies a rejection, do nothing. Copies of a Ticket
// share its release, so Done through any copy counts once.
type Ticket struct {
	rel *release // nil when the request holds no slot

	ru       int     // identity: x-ms-resource-unit; 0 for other classes
	usage    float64 // identity: bucket usage share after the request
	rlLimit  int64   // SharePoint RateLimit-*: 0 when not sent
	rlRemain int64
	rlReset  time.Duration
}

type release struct {
	done  atomic.Bool
	slots [2]*slot
}

// Done releases the request's concurrency slots. It is safe to call from any
// goroutine.
func (t Ticket) Done() {
	if t.rel == nil || !t.rel.done.CompareAndSwap(false, true) {
		return
	}
	for _, s := range t.rel.slots {
		if s != nil {
			s.inflight.Add(-1)
		}
	}
}

// SetHeaders adds the headers Graph sends on a served request of this class:
// x-ms-resource-unit on identity requests, x-ms-throttle-limit-percentage
// once an identity budget is more than 80% used, and RateLimit-* on
// SharePoint requests when enabled and 80% of the per-minute budget is used.
func (t Ticket) SetHeaders(h http.Header) {
	if t.ru > 0 {
		h.Set(HeaderResourceUnit, strconv.Itoa(t.ru))
		if t.usage > 0.8 {
			h.Set(HeaderThrottleLimitPercent, formatShare(t.usage))
		}
	}
	if t.rlLimit > 0 {
		h.Set(HeaderRateLimitLimit, strconv.FormatInt(t.rlLimit, 10))
		h.Set(HeaderRateLimitRemaining, strconv.FormatInt(t.rlRemain, 10))
		h.Set(HeaderRateLimitReset, retryAfterValue(t.rlReset, false))
	}
}

// ticket builds the Ticket of an admitted request whose checks are charged.
func (e *Engine) ticket(r *Request, cs []check, t int64) Ticket {
	var tk Ticket
	n := 0
	for i := range cs {
		c := &cs[i]
		switch {
		case c.s != nil:
			if tk.rel == nil {
				tk.rel = new(release)
			}
			tk.rel.slots[n] = c.s
			n++
		case c.id == limSharePointAppMinute && e.cfg.SharePoint.RateLimitHeaders:
			// Sent from 80% of the per-minute budget on, as the preview did.
			if used := c.w.sum; used*5 >= c.limit*4 {
				tk.rlLimit = c.limit
				tk.rlRemain = max(c.limit-used, 0)
				tk.rlReset = time.Duration(c.w.idleAt(e.p[c.id].span) - t)
			}
		}
	}
	if r.Class == ClassIdentity {
		tk.ru = max(r.RU, 1)
		tk.usage = identityUsage(cs)
	}
	return tk
}
