package graph

import "time"

// aimdParams tune an adaptive rate.
type aimdParams struct {
	decrease float64 // factor applied on a throttle, in (0, 1)
	recovery float64 // additive growth per second of paced operation, as a fraction of the pre-cut rate
	min      float64 // floor, requests per second
}

// obsWindow bounds how far back completions count towards the observed rate.
const obsWindow = 5 * time.Second

// aimd is the adaptive request rate of one lane: additive increase,
// multiplicative decrease, as TCP does with its window. It starts unlimited
// (rate 0): there is nothing to learn until the service first throttles. Its
// methods take the time explicitly so the arithmetic is testable without a
// clock; the owning lane serialises calls.
//
// The first cut, from "unlimited", starts from the completion rate observed
// just before it, so it lands near what the service accepted rather than at
// an arbitrary constant (with too few completions to tell, it waits for the
// next throttle); later cuts start from the current rate. Two rules
// keep a burst of 429s from collapsing the rate: only a request that started
// after the previous cut can cut again (the requests in flight when the first
// 429 arrives carry no new information), and a cut needs a success since the
// previous one (429s to probes while the service refuses everything, as when
// a sliding window is full, say "wait", which the fence does, not "slower").
type aimd struct {
	rate    float64   // requests per second; 0 means not limited
	ref     float64   // rate the last cut started from; sets the recovery slope
	lastCut time.Time // throttles of requests started before this are ignored
	wins    int       // successes since the last cut
	next    time.Time // earliest start of the next paced request

	done [32]time.Time // ring of recent successful completions
	n, i int
}

// reserve books the next start time for a request taking cost tokens. It
// reports whether the request has to wait for its turn, which is what tells
// the rate that demand exceeds it.
func (a *aimd) reserve(now time.Time, cost int) (start time.Time, paced bool) {
	if a.rate <= 0 {
		return now, false
	}
	if cost < 1 {
		cost = 1
	}
	start = a.next
	if start.Before(now) {
		start = now
	}
	a.next = start.Add(time.Duration(float64(cost) / a.rate * float64(time.Second)))
	return start, start.After(now)
}

// success records a completed request. A paced success grows the rate by
// recovery×ref per second of paced operation (each paced request stands for
// 1/rate seconds of it).
func (a *aimd) success(now time.Time, paced bool, p aimdParams) {
	a.done[a.i] = now
	a.i = (a.i + 1) % len(a.done)
	if a.n < len(a.done) {
		a.n++
	}
	a.wins++
	if paced && a.rate > 0 {
		a.rate += p.recovery * a.ref / a.rate
	}
}

// throttle records a throttled request that started at started, and reports
// whether it cut the rate.
func (a *aimd) throttle(now, started time.Time, p aimdParams) bool {
	if !a.lastCut.IsZero() && (started.Before(a.lastCut) || a.wins == 0) {
		return false
	}
	base := a.rate
	if base <= 0 {
		base = a.observed(now)
		// Completions before a throttle are followed by a wait (fence or
		// backoff); measuring across it would read the wait as slowness.
		a.n = 0
	}
	if base <= 0 {
		// Too little history to say what the service accepts: leave the
		// wait to the fence and cut on the next throttle.
		return false
	}
	a.ref = base
	a.rate = base * p.decrease
	if a.rate < p.min {
		a.rate = p.min
	}
	a.lastCut, a.wins = now, 0
	return true
}

// observed returns the completion rate over the recent completions inside
// obsWindow, or 0 when there are fewer than two.
func (a *aimd) observed(now time.Time) float64 {
	var oldest, newest time.Time
	k := 0
	for j := 0; j < a.n; j++ {
		t := a.done[j]
		if now.Sub(t) > obsWindow {
			continue
		}
		if k == 0 || t.Before(oldest) {
			oldest = t
		}
		if k == 0 || t.After(newest) {
			newest = t
		}
		k++
	}
	if k < 2 {
		return 0
	}
	span := newest.Sub(oldest)
	if span < 10*time.Millisecond {
		span = 10 * time.Millisecond // a burst: avoid dividing by ~0
	}
	return float64(k-1) / span.Seconds()
}
