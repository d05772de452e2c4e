package limits

import (
	"net/http"
	"strconv"
	"time"
)

// maxChecks bounds the limits one request is checked against: the global
// window plus at most five per class (identity writes).
const maxChecks = 8

// check is one limit applied to one request.
type check struct {
	id     limitID
	w      *window
	b      *tokenBucket
	s      *slot
	cost   int64 // units charged
	need   int64 // cost capped at limit: a request bigger than a whole budget waits for an empty one
	limit  int64
	bytes  bool // upload bytes: never charged for a rejected request
	failed bool
}

// Admit decides whether to serve r now. On admission it returns a Ticket and
// a nil Decision; the caller serves the request, calls Ticket.SetHeaders on
// the response, and calls Ticket.Done when the response is complete. On
// rejection it returns a zero Ticket (whose Done does nothing) and the
// Decision to send. A $batch is admitted one sub-request at a time.
func (e *Engine) Admit(r Request) (Ticket, *Decision) {
	e.mu.Lock()
	defer e.mu.Unlock()
	t := e.clock()
	e.maybeSweep(t)

	var buf [maxChecks]check
	cs := e.plan(buf[:0], &r, t)
	failed := false
	for i := range cs {
		if !e.fits(&cs[i], t) {
			cs[i].failed = true
			failed = true
		}
	}
	if failed {
		return Ticket{}, e.reject(&r, cs, t)
	}
	for i := range cs {
		e.charge(&cs[i])
	}
	return e.ticket(&r, cs, t), nil
}

// plan lists the limits r is subject to, creating their state on first use.
func (e *Engine) plan(cs []check, r *Request, t int64) []check {
	ru := int64(max(r.RU, 1))
	cs = e.addWindow(cs, limGlobal, stateKey{app: r.App}, 1, t)
	switch r.Class {
	case ClassOutlook:
		mailbox := stateKey{app: r.App, tenant: r.Tenant, resource: r.Resource}
		cs = e.addSlot(cs, limOutlookConcurrency, mailbox)
		cs = e.addSlot(cs, limOutlookAppConcurrency, stateKey{app: r.App})
		cs = e.addWindow(cs, limOutlookRequests, mailbox, 1, t)
		if r.Write && r.UploadBytes > 0 {
			cs = e.addWindow(cs, limOutlookUpload, mailbox, r.UploadBytes, t)
			cs[len(cs)-1].bytes = true
		}
	case ClassSharePoint:
		appTenant := stateKey{app: r.App, tenant: r.Tenant}
		cs = e.addWindow(cs, limSharePointAppMinute, appTenant, ru, t)
		cs = e.addWindow(cs, limSharePointAppDay, appTenant, ru, t)
		cs = e.addWindow(cs, limSharePointTenant, stateKey{tenant: r.Tenant}, ru, t)
	case ClassIdentity:
		appTenant := stateKey{app: r.App, tenant: r.Tenant}
		cs = e.addBucket(cs, limIdentityAppTenant, appTenant, ru,
			identityBudget(&e.cfg.Identity, r.TenantUsers), t)
		cs = e.addBucket(cs, limIdentityApp, stateKey{app: r.App}, ru, e.p[limIdentityApp].limit, t)
		if r.Write {
			cs = e.addBucket(cs, limIdentityAppTenantWrites, appTenant, 1, e.p[limIdentityAppTenantWrites].limit, t)
			cs = e.addBucket(cs, limIdentityAppWrites, stateKey{app: r.App}, 1, e.p[limIdentityAppWrites].limit, t)
			cs = e.addBucket(cs, limIdentityTenantWrites, stateKey{tenant: r.Tenant}, 1, e.p[limIdentityTenantWrites].limit, t)
		}
	}
	return cs
}

func (e *Engine) addWindow(cs []check, id limitID, k stateKey, cost, t int64) []check {
	p := &e.p[id]
	if !p.enable {
		return cs
	}
	k.id = id
	w := e.windows[k]
	if w == nil {
		w = newWindow(slotOf(t, p.span), t)
		e.windows[k] = w
	}
	return append(cs, check{id: id, w: w, cost: cost, need: min(cost, p.limit), limit: p.limit})
}

func (e *Engine) addBucket(cs []check, id limitID, k stateKey, cost, capacity, t int64) []check {
	if !e.p[id].enable || capacity <= 0 {
		return cs
	}
	k.id = id
	b := e.buckets[k]
	if b == nil {
		b = newBucket(capacity, t)
		e.buckets[k] = b
	}
	return append(cs, check{id: id, b: b, cost: cost, need: min(cost, capacity), limit: capacity})
}

func (e *Engine) addSlot(cs []check, id limitID, k stateKey) []check {
	p := &e.p[id]
	if !p.enable {
		return cs
	}
	k.id = id
	s := e.slots[k]
	if s == nil {
		s = new(slot)
		e.slots[k] = s
	}
	return append(cs, check{id: id, s: s, cost: 1, need: 1, limit: p.limit})
}

// fits brings c's state to time t and reports whether c.need fits.
func (e *Engine) fits(c *check, t int64) bool {
	switch {
	case c.w != nil:
		c.w.advance(slotOf(t, e.p[c.id].span))
		c.w.touched = t
		return c.w.sum+c.need <= c.limit
	case c.b != nil:
		c.b.refill(c.limit, e.p[c.id].span, t)
		return c.b.tokens >= float64(c.need)
	}
	return c.s.inflight.Load() < c.limit
}

func (e *Engine) charge(c *check) {
	switch {
	case c.w != nil:
		c.w.add(c.cost)
	case c.b != nil:
		c.b.take(c.cost, c.limit)
	default:
		c.s.inflight.Add(1)
	}
}

// wait returns how long after t c's limit admits this request again.
func (e *Engine) wait(c *check, t int64) time.Duration {
	switch {
	case c.w != nil:
		return time.Duration(c.w.wait(c.need, c.limit, e.p[c.id].span, t))
	case c.b != nil:
		return time.Duration(c.b.wait(c.need, c.limit, e.p[c.id].span))
	}
	return e.concRetry
}

// reject charges a throttled request where configured and builds the
// Decision of the failed limit that frees last, so that a client honouring
// Retry-After is admitted next time unless other traffic intervenes.
func (e *Engine) reject(r *Request, cs []check, t int64) *Decision {
	if e.cfg.ChargeThrottled {
		for i := range cs {
			if c := &cs[i]; c.s == nil && !c.bytes {
				e.charge(c)
			}
		}
	}
	var worst *check
	var wait time.Duration
	for i := range cs {
		c := &cs[i]
		if !c.failed {
			continue
		}
		if d := e.wait(c, t); worst == nil || d > wait {
			worst, wait = c, d
		}
	}
	e.throttles[worst.id]++

	spec := &specs[worst.id]
	d := &Decision{
		Status:     spec.status,
		Code:       spec.code,
		Message:    spec.message,
		InnerCode:  spec.inner,
		RetryAfter: wait,
		Header:     make(http.Header, 4),
		Limit:      spec.name,
	}
	if d.Status == 0 {
		d.Status = e.cfg.SharePoint.Status
	}
	e.fracAcc += e.cfg.FractionalRetryAfter
	fractional := e.fracAcc >= 1
	if fractional {
		e.fracAcc--
	}
	d.Header.Set(HeaderRetryAfter, retryAfterValue(wait, fractional))
	if r.Class == ClassIdentity {
		d.Header.Set(HeaderResourceUnit, strconv.Itoa(max(r.RU, 1)))
		if pct := identityUsage(cs); pct > 0.8 {
			d.Header.Set(HeaderThrottleLimitPercent, formatShare(pct))
		}
		if spec.scope != "" {
			d.Header.Set(HeaderThrottleScope, spec.scope+"/"+r.App+"/"+r.Tenant)
			d.Header.Set(HeaderThrottleInformation, spec.info)
		}
	}
	return d
}

// identityUsage is the highest usage share among the identity buckets.
func identityUsage(cs []check) float64 {
	var pct float64
	for i := range cs {
		if c := &cs[i]; c.b != nil {
			pct = max(pct, c.b.usage(c.limit))
		}
	}
	return pct
}

// formatShare renders a usage share with at most two decimals ("0.86").
func formatShare(v float64) string {
	return strconv.FormatFloat(float64(int64(v*100+0.5))/100, 'f', -1, 64)
}
