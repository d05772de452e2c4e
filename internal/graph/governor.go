package graph

import (
	"context"
	"net/http"
	"strings"
	"sync"
	"time"

	"golang.org/x/sync/semaphore"
)

// governorOptions are the governor's limits, from Options.
type governorOptions struct {
	mailboxSlots int64 // concurrent requests per mailbox
	driveSlots   int64 // concurrent requests per drive
	maxInFlight  int64 // concurrent requests per Client
	aimd         aimdParams
}

// governor admits requests so that Graph rarely has to throttle them, and
// reacts when it does. Limits apply at three levels, acquired in this order:
//
//  1. the resource lane (mailbox or drive): a concurrency semaphore, a
//     Retry-After fence and, for mailboxes, an adaptive rate, because Outlook
//     limits each (app, mailbox) pair separately;
//  2. the service lane (outlook, files, directory): a fence and an adaptive
//     rate for limits that are per tenant, like SharePoint's resource units
//     and the directory's token buckets;
//  3. a global in-flight cap.
//
// A request waiting on a fenced or slow lane holds only its own resource's
// slots, never a global slot, so one throttled mailbox cannot stall others.
// Safe for concurrent use.
type governor struct {
	opts   governorOptions
	now    func() time.Time
	global *semaphore.Weighted

	mu        sync.Mutex
	resources map[string]*lane
	services  map[service]*lane
}

func newGovernor(o governorOptions, now func() time.Time) *governor {
	return &governor{
		opts:      o,
		now:       now,
		global:    semaphore.NewWeighted(o.maxInFlight),
		resources: map[string]*lane{},
		services:  map[service]*lane{},
	}
}

// lane is one throttling domain. The zero value is an unlimited lane.
type lane struct {
	mu    sync.Mutex
	fence time.Time // no request starts before this
	rate  aimd
	sem   *semaphore.Weighted // nil: no concurrency limit
	limit int64
}

// resourceLane returns the lane of a mailbox or drive, or nil when the class
// has no per-resource limits. Lanes live as long as the Client: a few
// hundred bytes per mailbox, and their learned rate is worth keeping.
func (g *governor) resourceLane(c Class, key string) *lane {
	if key == "" {
		return nil
	}
	var slots int64
	switch c.service() {
	case serviceOutlook:
		slots = g.opts.mailboxSlots
	case serviceFiles:
		slots = g.opts.driveSlots
	default:
		return nil
	}
	// A mailbox is one lane whether reached through mail, calendar or
	// contacts; ids and UPNs are case-insensitive in Graph.
	k := string(c.service()) + ":" + strings.ToLower(key)
	g.mu.Lock()
	defer g.mu.Unlock()
	l := g.resources[k]
	if l == nil {
		l = &lane{sem: semaphore.NewWeighted(slots), limit: slots}
		g.resources[k] = l
	}
	return l
}

func (g *governor) serviceLane(s service) *lane {
	g.mu.Lock()
	defer g.mu.Unlock()
	l := g.services[s]
	if l == nil {
		l = &lane{}
		g.services[s] = l
	}
	return l
}

// permit is an admitted request. release must be called exactly once.
type permit struct {
	g        *governor
	res, svc *lane
	feedback *lane // the lane whose limits a throttle of this request reflects
	slots    int64
	started  time.Time
	resPaced bool
	svcPaced bool
	global   bool
}

// acquire waits until the request may be sent. cost is its pacing tokens,
// slots its resource concurrency slots.
func (g *governor) acquire(ctx context.Context, c Class, key string, cost, slots int) (*permit, error) {
	p := &permit{g: g, res: g.resourceLane(c, key), svc: g.serviceLane(c.service())}
	p.feedback = p.svc
	if p.res != nil && c.service() == serviceOutlook {
		p.feedback = p.res
	}
	if p.res != nil {
		p.slots = int64(max(slots, 1))
		if p.slots > p.res.limit {
			p.slots = p.res.limit
		}
		if err := p.res.sem.Acquire(ctx, p.slots); err != nil {
			return nil, err
		}
		paced, err := p.res.admit(ctx, g.now, cost)
		if err != nil {
			p.res.sem.Release(p.slots)
			return nil, err
		}
		p.resPaced = paced
	}
	paced, err := p.svc.admit(ctx, g.now, cost)
	if err != nil {
		p.releaseSlots()
		return nil, err
	}
	p.svcPaced = paced
	if err := g.global.Acquire(ctx, 1); err != nil {
		p.releaseSlots()
		return nil, err
	}
	p.global = true
	p.started = g.now()
	return p, nil
}

func (p *permit) releaseSlots() {
	if p.global {
		p.g.global.Release(1)
	}
	if p.res != nil {
		p.res.sem.Release(p.slots)
	}
}

// release returns the permit's slots and feeds the outcome back: status is
// the HTTP status (0 for a transport error), retryAfter the server's
// Retry-After (0 if absent).
func (p *permit) release(status int, retryAfter time.Duration) {
	p.releaseSlots()
	now := p.g.now()
	switch {
	case status == http.StatusTooManyRequests || status == http.StatusServiceUnavailable:
		p.feedback.throttled(now, p.started, retryAfter, p.g.opts.aimd)
	case status > 0 && status < 500:
		if p.res != nil {
			p.res.succeeded(now, p.resPaced, p.g.opts.aimd)
		}
		p.svc.succeeded(now, p.svcPaced, p.g.opts.aimd)
	}
}

// feedback applies a throttle reported inside another response (a $batch
// sub-request) to the lane it concerns, as release does for direct requests.
func (g *governor) feedback(c Class, key string, started time.Time, status int, retryAfter time.Duration) {
	if status != http.StatusTooManyRequests && status != http.StatusServiceUnavailable {
		return
	}
	l := g.serviceLane(c.service())
	if r := g.resourceLane(c, key); r != nil && c.service() == serviceOutlook {
		l = r
	}
	l.throttled(g.now(), started, retryAfter, g.opts.aimd)
}

// admit waits for the lane's fence and its pacing turn. It reports whether
// the request had to wait for pacing.
func (l *lane) admit(ctx context.Context, now func() time.Time, cost int) (bool, error) {
	for {
		l.mu.Lock()
		t := now()
		if l.fence.After(t) {
			wait := l.fence.Sub(t)
			l.mu.Unlock()
			if err := sleep(ctx, wait); err != nil {
				return false, err
			}
			continue
		}
		start, paced := l.rate.reserve(t, cost)
		l.mu.Unlock()
		if !paced {
			return false, nil
		}
		if err := sleep(ctx, start.Sub(t)); err != nil {
			return false, err
		}
		// A Retry-After that arrived while we slept applies to us too:
		// go round again and take a fresh turn after the fence.
		l.mu.Lock()
		fenced := l.fence.After(now())
		l.mu.Unlock()
		if !fenced {
			return true, nil
		}
	}
}

func (l *lane) throttled(now, started time.Time, retryAfter time.Duration, p aimdParams) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if retryAfter > 0 {
		if f := now.Add(retryAfter); f.After(l.fence) {
			l.fence = f
		}
	}
	l.rate.throttle(now, started, p)
	// Paced requests resume after the fence, one turn at a time.
	if l.rate.next.Before(l.fence) {
		l.rate.next = l.fence
	}
}

func (l *lane) succeeded(now time.Time, paced bool, p aimdParams) {
	l.mu.Lock()
	l.rate.success(now, paced, p)
	l.mu.Unlock()
}

// currentRate returns the lane's adaptive rate (0: not limited).
func (l *lane) currentRate() float64 {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.rate.rate
}

// serviceRates returns the adaptive rate of each service lane, for Stats.
func (g *governor) serviceRates() map[string]float64 {
	g.mu.Lock()
	lanes := make(map[service]*lane, len(g.services))
	for s, l := range g.services {
		lanes[s] = l
	}
	g.mu.Unlock()
	out := make(map[string]float64, len(lanes))
	for s, l := range lanes {
		out[string(s)] = l.currentRate()
	}
	return out
}

// rate returns the rate governing requests of class c on resource key.
func (g *governor) rate(c Class, key string) float64 {
	if l := g.resourceLane(c, key); l != nil && c.service() == serviceOutlook {
		return l.currentRate()
	}
	return g.serviceLane(c.service()).currentRate()
}

// sleep waits for d or until ctx is done.
func sleep(ctx context.Context, d time.Duration) error {
	if d <= 0 {
		return ctx.Err()
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}
