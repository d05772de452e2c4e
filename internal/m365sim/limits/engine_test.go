package limits

import (
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"
)

func other(app string) Request { return Request{App: app, Tenant: "t1"} }

func TestGlobalLimitPerApp(t *testing.T) {
	e, clk := newTestEngine(t, func(c *Config) { c.Global.Limit = 100 })
	// Requests of every class count toward the app's global budget.
	admitN(t, e, other("a"), 40)
	admitN(t, e, mail("a", "adele"), 30)
	admitN(t, e, drive("a", 1), 20)
	dir := directory(10, 1)
	dir.App = "a"
	admitN(t, e, dir, 10)
	d := mustReject(t, e, other("a"), "global")
	if d.Status != http.StatusTooManyRequests || d.Code != "TooManyRequests" || d.Message != "Please retry again later." {
		t.Errorf("decision = %d %s %q", d.Status, d.Code, d.Message)
	}
	if ra := d.Header.Get("Retry-After"); ra != "10" {
		t.Errorf("Retry-After = %q, want 10", ra)
	}
	admitN(t, e, other("b"), 1) // another app
	clk.Advance(10 * time.Second)
	admitN(t, e, other("a"), 99) // one throttled request still counts
}

func TestDecisionReportsTheLimitThatFreesLast(t *testing.T) {
	e, clk := newTestEngine(t, func(c *Config) {
		c.Global.Limit = 10
		c.Outlook.Requests.Limit = 10
	})
	admitN(t, e, mail("a", "adele"), 5)
	clk.Advance(5 * time.Second)
	admitN(t, e, mail("a", "adele"), 5)
	// Both are full; the global window frees in 5 s, the mailbox in 595 s.
	d := mustReject(t, e, mail("a", "adele"), "outlook.requests")
	if ra := d.Header.Get("Retry-After"); ra != "595" {
		t.Errorf("Retry-After = %q, want 595", ra)
	}
	// Another mailbox is limited only by the global window.
	d = mustReject(t, e, mail("a", "bob"), "global")
	if ra := d.Header.Get("Retry-After"); ra != "5" {
		t.Errorf("global Retry-After = %q, want 5", ra)
	}
}

func TestFractionalRetryAfter(t *testing.T) {
	for _, tc := range []struct {
		share float64
		want  string // f for fractional, i for integer, per rejection
	}{
		{0, "iiiiiiii"},
		{1, "ffffffff"},
		{0.5, "ififififi"},
		{0.25, "iiifiiif"},
	} {
		e, _ := newTestEngine(t, func(c *Config) {
			c.Global.Limit = 1
			c.FractionalRetryAfter = tc.share
			c.TimeScale = 7 // an odd wait, so the fraction is visible
		})
		admitN(t, e, other("a"), 1)
		var got strings.Builder
		for range len(tc.want) {
			ra := mustReject(t, e, other("a"), "global").Header.Get("Retry-After")
			if strings.Contains(ra, ".") {
				if len(ra) < 5 || ra[len(ra)-4] != '.' {
					t.Errorf("fractional Retry-After %q, want three decimals", ra)
				}
				got.WriteByte('f')
			} else {
				got.WriteByte('i')
			}
		}
		if got.String() != tc.want {
			t.Errorf("share %v: forms %s, want %s", tc.share, got.String(), tc.want)
		}
	}
}

func TestSetConfigAtRunTime(t *testing.T) {
	e, clk := newTestEngine(t, func(c *Config) { c.Outlook.Requests.Limit = 10 })
	r := mail("a", "adele")
	var held []Ticket
	for range 2 {
		tk, d := e.Admit(r)
		if d != nil {
			t.Fatal("rejected")
		}
		held = append(held, tk)
	}

	// Lower the concurrency below what is in flight.
	cfg := e.Config()
	cfg.Outlook.Concurrency = 2
	if err := e.SetConfig(cfg); err != nil {
		t.Fatalf("SetConfig: %v", err)
	}
	mustReject(t, e, r, "outlook.concurrency")
	held[0].Done() // in-flight tickets survive the change
	tk, d := e.Admit(r)
	if d != nil {
		t.Fatalf("rejected after Done: %s", d.Limit)
	}
	tk.Done()
	held[1].Done()

	// 4 requests charged so far (3 admitted, 1 throttled). Raising the count
	// keeps that usage.
	cfg.Outlook.Requests.Limit = 20
	if err := e.SetConfig(cfg); err != nil {
		t.Fatal(err)
	}
	admitN(t, e, r, 16)
	mustReject(t, e, r, "outlook.requests")

	// An invalid config is refused and the old one stays.
	bad := cfg
	bad.TimeScale = -1
	if err := e.SetConfig(bad); err == nil || !strings.Contains(err.Error(), "set limits config") {
		t.Fatalf("SetConfig(bad) = %v", err)
	}
	if e.Config().TimeScale != 1 {
		t.Fatal("bad config applied")
	}

	// A new TimeScale changes the window, which restarts its accounting.
	cfg.TimeScale = 60
	if err := e.SetConfig(cfg); err != nil {
		t.Fatal(err)
	}
	admitN(t, e, r, 20)
	d = mustReject(t, e, r, "outlook.requests")
	if ra := d.Header.Get("Retry-After"); ra != "10" {
		t.Errorf("Retry-After after rescale = %q, want 10", ra)
	}
	clk.Advance(10 * time.Second)
	admitN(t, e, r, 19)

	// Turning a limit off lifts it.
	cfg.Outlook.Requests.Limit = 0
	if err := e.SetConfig(cfg); err != nil {
		t.Fatal(err)
	}
	admitN(t, e, r, 100)
}

func TestIdleStateIsSwept(t *testing.T) {
	e, clk := newTestEngine(t, func(c *Config) { c.TimeScale = 100 })
	for i := range 500 {
		r := mail("a", fmt.Sprintf("mailbox%d", i))
		admitN(t, e, r, 1)
		d := drive("a", 1)
		d.Tenant = fmt.Sprintf("tenant%d", i)
		admitN(t, e, d, 1)
		admitN(t, e, directory(10, 1), 1)
	}
	if n := e.Keys(); n < 1_500 {
		t.Fatalf("Keys() = %d before sweeping, want at least 1,500", n)
	}
	// The longest window is SharePoint's day: 864 s at scale 100.
	clk.Advance(900 * time.Second)
	admitN(t, e, other("a"), 1)
	if n := e.Keys(); n > 1 {
		t.Errorf("Keys() = %d after every window passed, want at most 1", n)
	}
}

func TestInFlightSlotsAreNotSwept(t *testing.T) {
	e, clk := newTestEngine(t, nil)
	r := mail("a", "adele")
	tk, _ := e.Admit(r)
	clk.Advance(time.Hour)
	admitN(t, e, other("a"), 1) // triggers a sweep
	var held []Ticket
	for range 3 {
		h, d := e.Admit(r)
		if d != nil {
			t.Fatal("rejected")
		}
		held = append(held, h)
	}
	mustReject(t, e, r, "outlook.concurrency")
	tk.Done()
	for _, h := range held {
		h.Done()
	}
}

func TestClockGoingBackIsHarmless(t *testing.T) {
	e, clk := newTestEngine(t, func(c *Config) { c.Global.Limit = 2 })
	clk.Advance(time.Minute)
	admitN(t, e, other("a"), 2)
	clk.Advance(-time.Hour)
	d := mustReject(t, e, other("a"), "global")
	if d.RetryAfter <= 0 || d.RetryAfter > 10*time.Second {
		t.Errorf("RetryAfter = %v", d.RetryAfter)
	}
}

func TestThrottles(t *testing.T) {
	e, _ := newTestEngine(t, func(c *Config) { c.SharePoint.AppMinute.Limit = 1 })
	admitN(t, e, drive("a", 1), 1)
	for range 3 {
		mustReject(t, e, drive("a", 1), "sharepoint.appMinute")
	}
	for range 4 {
		e.Admit(mail("a", "adele")) // tickets never done
	}
	mustReject(t, e, mail("a", "adele"), "outlook.concurrency")
	got := e.Throttles()
	if len(got) != 2 || got["sharepoint.appMinute"] != 3 || got["outlook.concurrency"] != 1 {
		t.Errorf("Throttles() = %v", got)
	}
}
