package tenant

import (
	"math"
	"math/rand/v2"
)

// genRand is the generator's random source. Each part of the tenant draws
// from its own source derived from the seed and a label, so that changing
// one option (say, messages per user) leaves unrelated content (files)
// byte-identical.
type genRand struct{ r *rand.Rand }

func newRand(parts ...any) *genRand {
	s := SeedOf(parts...)
	return &genRand{r: rand.New(rand.NewPCG(s, s^0x9e3779b97f4a7c15))}
}

// intn returns a uniform int in [0, n); 0 when n <= 0.
func (g *genRand) intn(n int) int {
	if n <= 0 {
		return 0
	}
	return g.r.IntN(n)
}

// between returns a uniform int in [lo, hi].
func (g *genRand) between(lo, hi int) int { return lo + g.intn(hi-lo+1) }

func (g *genRand) float() float64 { return g.r.Float64() }

// chance reports true with probability p.
func (g *genRand) chance(p float64) bool { return g.r.Float64() < p }

func (g *genRand) u64() uint64 { return g.r.Uint64() }

// lognormal draws from a lognormal distribution with the given median and
// shape sigma, clamped to [lo, hi]. File and message sizes in real
// mailboxes and drives follow this shape: most items are small, a few
// are orders of magnitude larger.
func (g *genRand) lognormal(median, sigma float64, lo, hi int64) int64 {
	v := int64(median * math.Exp(sigma*g.r.NormFloat64()))
	return max(lo, min(hi, v))
}

// countAround draws a per-user count whose mean is mean, spread
// lognormally (sigma 0.8) as mailbox and drive sizes are across users.
func (g *genRand) countAround(mean int) int {
	if mean <= 0 {
		return 0
	}
	const sigma = 0.8
	median := float64(mean) / math.Exp(sigma*sigma/2)
	return int(g.lognormal(median, sigma, 1, int64(mean)*20))
}

func pick[T any](g *genRand, list []T) T { return list[g.intn(len(list))] }

// weighted returns an index into weights with probability proportional to
// its weight.
func (g *genRand) weighted(weights []float64) int {
	var sum float64
	for _, w := range weights {
		sum += w
	}
	x := g.r.Float64() * sum
	for i, w := range weights {
		if x < w {
			return i
		}
		x -= w
	}
	return len(weights) - 1
}
