package limits

// overdraftShare is how far below empty a token bucket may go when throttled
// requests are charged: 0.8 of its capacity, so that its usage share ranges
// up to 1.8, the top of the documented x-ms-throttle-limit-percentage range.
// It also bounds how long a client that ignores Retry-After stays locked out.
const overdraftShare = 0.8

// tokenBucket holds up to capacity units and refills capacity units per
// period, continuously. It is not safe for concurrent use; the Engine's mutex
// guards it.
type tokenBucket struct {
	tokens   float64
	last     int64 // time of the last refill, nanoseconds since the epoch
	capacity int64 // capacity at the last refill, for sweeping
}

func newBucket(capacity, t int64) *tokenBucket {
	return &tokenBucket{tokens: float64(capacity), last: t, capacity: capacity}
}

// refill adds the tokens earned since the last call. A capacity that shrank
// (SetConfig, or a tenant that changed size) caps the tokens at once.
func (b *tokenBucket) refill(capacity, period, t int64) {
	if t > b.last {
		b.tokens += float64(t-b.last) * float64(capacity) / float64(period)
		b.last = t
	}
	if c := float64(capacity); b.tokens > c {
		b.tokens = c
	}
	b.capacity = capacity
}

// take removes n tokens. With overdraft it may go below zero, but not below
// -overdraftShare × capacity.
func (b *tokenBucket) take(n, capacity int64) {
	b.tokens -= float64(n)
	if floor := -overdraftShare * float64(capacity); b.tokens < floor {
		b.tokens = floor
	}
}

// wait returns the nanoseconds until the bucket holds need tokens; 0 means
// now. The bucket must be refilled to the current time.
func (b *tokenBucket) wait(need, capacity, period int64) int64 {
	missing := float64(need) - b.tokens
	if missing <= 0 {
		return 0
	}
	ns := missing * float64(period) / float64(capacity)
	return int64(ns) + 1 // round up so the client is not early
}

// usage is the share of capacity in use: 0 when full, 1 when empty, up to
// 1+overdraftShare when overdrawn.
func (b *tokenBucket) usage(capacity int64) float64 {
	return (float64(capacity) - b.tokens) / float64(capacity)
}

// fullAt returns the time at which the bucket is full again.
func (b *tokenBucket) fullAt(capacity, period int64) int64 {
	return b.last + b.wait(capacity, capacity, period)
}
