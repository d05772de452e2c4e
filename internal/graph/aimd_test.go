package graph

import (
	"math"
	"testing"
	"time"
)

var testAIMD = aimdParams{decrease: 0.9, recovery: 0.01, min: 0.2}

func TestAIMDUnlimitedUntilThrottled(t *testing.T) {
	var a aimd
	t0 := time.Unix(1000, 0)
	for i := range 100 {
		start, paced := a.reserve(t0, 1)
		if paced || !start.Equal(t0) {
			t.Fatalf("request %d paced before any throttle", i)
		}
	}
}

func TestAIMDReserveSpacing(t *testing.T) {
	a := aimd{rate: 10}
	t0 := time.Unix(1000, 0)
	var starts []time.Time
	for range 5 {
		s, _ := a.reserve(t0, 1)
		starts = append(starts, s)
	}
	for i := 1; i < len(starts); i++ {
		if gap := starts[i].Sub(starts[i-1]); gap != 100*time.Millisecond {
			t.Errorf("gap %d = %v, want 100ms at 10 req/s", i, gap)
		}
	}
	// A $batch of 20 takes 20 turns.
	s, paced := a.reserve(t0, 20)
	if !paced || !s.Equal(t0.Add(500*time.Millisecond)) {
		t.Errorf("batch start = %v, paced %v", s.Sub(t0), paced)
	}
	if next, _ := a.reserve(t0, 1); !next.Equal(t0.Add(2500 * time.Millisecond)) {
		t.Errorf("after a batch of 20 the next turn is at %v, want 2.5s", next.Sub(t0))
	}
	// An idle lane does not bank turns: after a long pause one request
	// goes at once and the next is spaced again.
	later := t0.Add(time.Hour)
	if s, paced := a.reserve(later, 1); paced || !s.Equal(later) {
		t.Errorf("after idling: start %v paced %v", s.Sub(later), paced)
	}
	if s, _ := a.reserve(later, 1); s.Sub(later) != 100*time.Millisecond {
		t.Errorf("second after idling at %v, want 100ms", s.Sub(later))
	}
}

func TestAIMDFirstCutUsesObservedRate(t *testing.T) {
	var a aimd
	t0 := time.Unix(1000, 0)
	// 40 completions at 20 per second, then a 429.
	for i := range 40 {
		a.success(t0.Add(time.Duration(i)*50*time.Millisecond), false, testAIMD)
	}
	now := t0.Add(2 * time.Second)
	if !a.throttle(now, now.Add(-10*time.Millisecond), testAIMD) {
		t.Fatal("first throttle did not cut")
	}
	if want := 20 * 0.9; math.Abs(a.rate-want) > 0.5 {
		t.Errorf("rate after first cut = %.2f, want about %.1f (0.9 × observed 20/s)", a.rate, want)
	}
}

func TestAIMDOneCutPerFlight(t *testing.T) {
	a := aimd{rate: 100}
	t0 := time.Unix(1000, 0)
	started := t0.Add(-time.Second)
	a.throttle(t0, started, testAIMD)
	r := a.rate
	// The other requests of the same flight answer 429 too: no further cut.
	for i := range 3 {
		if a.throttle(t0.Add(time.Duration(i)*time.Millisecond), started, testAIMD) {
			t.Fatalf("in-flight throttle %d cut again", i)
		}
	}
	if a.rate != r {
		t.Fatalf("rate %v changed to %v", r, a.rate)
	}
	// A request sent after the cut, with a success in between, does cut.
	a.success(t0.Add(1500*time.Millisecond), true, testAIMD)
	if !a.throttle(t0.Add(2*time.Second), t0.Add(time.Second), testAIMD) || a.rate >= r {
		t.Fatalf("later throttle: rate %v, want below %v", a.rate, r)
	}
}

func TestAIMDNoCutWithoutSuccess(t *testing.T) {
	a := aimd{rate: 50}
	t0 := time.Unix(1000, 0)
	a.throttle(t0, t0, testAIMD) // 45
	// The service refuses every probe (a full window): each 429 means
	// "wait", not "slower", so the rate holds.
	for i := 1; i <= 30; i++ {
		now := t0.Add(time.Duration(i) * time.Second)
		if a.throttle(now, now.Add(-time.Millisecond), testAIMD) {
			t.Fatalf("probe %d cut the rate to %v", i, a.rate)
		}
	}
	if a.rate != 45 {
		t.Errorf("rate = %v, want 45", a.rate)
	}
	// No history at all: the first throttle cannot know a rate and leaves
	// the lane unlimited.
	var b aimd
	if b.throttle(t0, t0, testAIMD) || b.rate != 0 {
		t.Errorf("throttle without history set rate %v", b.rate)
	}
}

func TestAIMDFloor(t *testing.T) {
	a := aimd{rate: 1}
	t0 := time.Unix(1000, 0)
	for i := range 100 {
		now := t0.Add(time.Duration(i) * time.Second)
		a.success(now, false, testAIMD)
		a.throttle(now, now, testAIMD)
	}
	if a.rate != testAIMD.min {
		t.Errorf("rate = %v, want the floor %v", a.rate, testAIMD.min)
	}
}

func TestAIMDRecoveryIsAdditive(t *testing.T) {
	a := aimd{rate: 100}
	t0 := time.Unix(1000, 0)
	a.throttle(t0, t0, testAIMD) // ref = 100, rate = 90
	if a.rate != 90 {
		t.Fatalf("rate = %v, want 90", a.rate)
	}
	// Ten seconds of paced successes at the current rate.
	now := t0
	end := t0.Add(10 * time.Second)
	for now.Before(end) {
		a.success(now, true, testAIMD)
		now = now.Add(time.Duration(float64(time.Second) / a.rate))
	}
	// +1 % of 100 per second for 10 s: about 100.
	if a.rate < 99 || a.rate > 101 {
		t.Errorf("rate after 10 s of paced demand = %.2f, want about 100", a.rate)
	}
	// Unpaced successes (demand below the rate) do not raise it.
	r := a.rate
	for i := range 1000 {
		a.success(end.Add(time.Duration(i)*time.Second), false, testAIMD)
	}
	if a.rate != r {
		t.Errorf("unpaced successes moved the rate from %v to %v", r, a.rate)
	}
}
