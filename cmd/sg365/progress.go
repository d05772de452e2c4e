package main

import (
	"fmt"
	"io"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"golang.org/x/term"

	"github.com/safeguard365/safeguard365/internal/dataguard"
	"github.com/safeguard365/safeguard365/internal/graph"
)

// progress renders a run's events on stderr: a line that rewrites itself on
// a terminal, plain lines every 10 s otherwise.
type progress struct {
	dataguard.NopReporter
	w       io.Writer
	tty     bool
	planned atomic.Int64
	items   atomic.Int64
	failed  atomic.Int64
	bytes   atomic.Int64
	done    atomic.Int64
	started atomic.Int64
	t0      time.Time
	// stats, when set, adds Graph's throttling to the line.
	stats func() graph.Stats
}

func newProgress(w io.Writer) *progress {
	p := &progress{w: w, t0: time.Now()}
	if f, ok := w.(*os.File); ok && term.IsTerminal(int(f.Fd())) {
		p.tty = true
	}
	return p
}

func (p *progress) Planned(n int)                                       { p.planned.Store(int64(n)) }
func (p *progress) ResourceStarted(dataguard.Resource)                  { p.started.Add(1) }
func (p *progress) ResourceDone(dataguard.ResourceSummary)              { p.done.Add(1) }
func (p *progress) ItemDone(dataguard.ItemRef, dataguard.Change, int64) { p.items.Add(1) }
func (p *progress) ItemFailed(dataguard.ItemRef, error)                 { p.failed.Add(1) }
func (p *progress) BytesRead(_ dataguard.Resource, n int64)             { p.bytes.Add(n) }

func (p *progress) line() string {
	elapsed := time.Since(p.t0)
	rate := float64(p.bytes.Load()) / max(elapsed.Seconds(), 0.001)
	done, total := p.done.Load(), p.planned.Load()
	if total < p.started.Load() {
		total = p.started.Load() // a reporter that is not told the plan
	}
	var b strings.Builder
	fmt.Fprintf(&b, "%d/%d resources done, %d items, %d failed, %s read (%s/s)",
		done, total, p.items.Load(), p.failed.Load(), humanBytes(p.bytes.Load()), humanBytes(int64(rate)))
	if p.stats != nil {
		if s := p.stats(); s.Throttled > 0 {
			fmt.Fprintf(&b, ", %d throttled (%s waited)", s.Throttled, s.RetryWait.Round(time.Second))
		}
	}
	fmt.Fprintf(&b, ", %s", elapsed.Round(time.Second))
	if eta, ok := estimate(elapsed, done, total); ok {
		fmt.Fprintf(&b, ", ETA %s", eta)
	}
	return b.String()
}

// estimate extrapolates the time left from the resources finished so far.
// Item totals are unknown until each resource's delta rounds end, so whole
// resources are the unit; the estimate firms up as more of them finish.
func estimate(elapsed time.Duration, done, total int64) (time.Duration, bool) {
	if done == 0 || total <= done {
		return 0, false
	}
	left := time.Duration(float64(elapsed) * float64(total-done) / float64(done))
	if left < time.Minute {
		return left.Round(time.Second), true
	}
	return left.Round(time.Minute), true
}

// start renders until the returned stop is called.
func (p *progress) start() (stop func()) {
	every := 10 * time.Second
	if p.tty {
		every = 250 * time.Millisecond
	}
	quit := make(chan struct{})
	var wg sync.WaitGroup
	wg.Go(func() {
		tick := time.NewTicker(every)
		defer tick.Stop()
		for {
			select {
			case <-quit:
				if p.tty {
					fmt.Fprintf(p.w, "\r\033[K%s\n", p.line())
				}
				return
			case <-tick.C:
				if p.tty {
					fmt.Fprintf(p.w, "\r\033[K%s", p.line())
				} else {
					fmt.Fprintln(p.w, p.line())
				}
			}
		}
	})
	return func() { close(quit); wg.Wait() }
}
