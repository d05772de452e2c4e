package main

import (
	"strings"
	"testing"
	"time"

	"github.com/safeguard365/safeguard365/internal/graph"
)

func TestEstimate(t *testing.T) {
	for _, tc := range []struct {
		elapsed     time.Duration
		done, total int64
		want        time.Duration
		ok          bool
	}{
		{10 * time.Second, 0, 8, 0, false},               // nothing finished: no basis
		{10 * time.Second, 8, 8, 0, false},               // all finished
		{10 * time.Second, 2, 8, 30 * time.Second, true}, // 5 s a resource, 6 left
		{10 * time.Minute, 1, 4, 30 * time.Minute, true},
		{100 * time.Second, 3, 4, 33 * time.Second, true},
	} {
		got, ok := estimate(tc.elapsed, tc.done, tc.total)
		if got != tc.want || ok != tc.ok {
			t.Errorf("estimate(%v, %d, %d) = %v, %v; want %v, %v", tc.elapsed, tc.done, tc.total, got, ok, tc.want, tc.ok)
		}
	}
}

func TestProgressLine(t *testing.T) {
	p := newProgress(&strings.Builder{})
	p.t0 = time.Now().Add(-20 * time.Second)
	p.Planned(4)
	p.done.Add(2)
	p.items.Add(123)
	p.stats = func() graph.Stats { return graph.Stats{Throttled: 7, RetryWait: 3 * time.Second} }
	line := p.line()
	for _, want := range []string{"2/4 resources done", "123 items", "7 throttled (3s waited)", "ETA 20s"} {
		if !strings.Contains(line, want) {
			t.Errorf("progress line %q lacks %q", line, want)
		}
	}
}
