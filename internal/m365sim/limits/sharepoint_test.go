package limits

import (
	"net/http"
	"testing"
	"time"
)

func drive(app string, ru int) Request {
	return Request{App: app, Tenant: "t1", Class: ClassSharePoint, Resource: "drive1", RU: ru}
}

func TestSharePointDefaultMinuteBudget(t *testing.T) {
	e, clk := newTestEngine(t, nil)
	// 1,250 RU per minute: 625 list-children calls at 2 RU each.
	admitN(t, e, drive("app", 2), 625)
	d := mustReject(t, e, drive("app", 1), "sharepoint.appMinute")
	if d.Status != http.StatusTooManyRequests || d.Code != "activityLimitReached" ||
		d.Message != "The request has been throttled" || d.InnerCode != "throttledRequest" {
		t.Errorf("decision = %d %s %q inner %s", d.Status, d.Code, d.Message, d.InnerCode)
	}
	if ra := d.Header.Get("Retry-After"); ra != "60" {
		t.Errorf("Retry-After = %q, want 60", ra)
	}
	// Another app in the same tenant has its own per-minute budget.
	admitN(t, e, drive("app2", 5), 250)
	clk.Advance(time.Minute)
	admitN(t, e, drive("app", 2), 1)
}

func TestSharePointBudgets(t *testing.T) {
	small := func(c *Config) {
		c.SharePoint.AppMinute.Limit = 100
		c.SharePoint.AppDay.Limit = 250
		c.SharePoint.Tenant.Limit = 150
		c.ChargeThrottled = false
	}
	for _, tc := range []struct {
		name  string
		run   func(t *testing.T, e *Engine, clk *fakeClock)
		limit string
		retry string
	}{
		{"per minute", func(t *testing.T, e *Engine, clk *fakeClock) {
			admitN(t, e, drive("a", 5), 20)
		}, "sharepoint.appMinute", "60"},
		{"per day", func(t *testing.T, e *Engine, clk *fakeClock) {
			admitN(t, e, drive("a", 2), 50)
			clk.Advance(5 * time.Minute)
			admitN(t, e, drive("a", 2), 50)
			clk.Advance(5 * time.Minute)
			admitN(t, e, drive("a", 2), 25)
			// 250 RU used; the first 100 leave 24 h after they came.
		}, "sharepoint.appDay", "85800"},
		{"tenant wide", func(t *testing.T, e *Engine, clk *fakeClock) {
			admitN(t, e, drive("a", 1), 80)
			admitN(t, e, drive("b", 1), 70)
		}, "sharepoint.tenant", "300"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e, clk := newTestEngine(t, small)
			tc.run(t, e, clk)
			r := drive("a", 1)
			if tc.limit == "sharepoint.tenant" {
				r.App = "c" // a fresh app is still limited by the tenant
			}
			d := mustReject(t, e, r, tc.limit)
			if ra := d.Header.Get("Retry-After"); ra != tc.retry {
				t.Errorf("Retry-After = %q, want %s", ra, tc.retry)
			}
			// Another tenant is unaffected.
			r.Tenant = "t2"
			admitN(t, e, r, 1)
		})
	}
}

func TestThrottledRequestsCountTowardUsage(t *testing.T) {
	for _, tc := range []struct {
		charge bool
		after  int // requests of 1 RU admitted at 1:00
	}{
		{true, 5},   // the 5 throttled requests at 0:30 still count
		{false, 10}, // they do not
	} {
		e, clk := newTestEngine(t, func(c *Config) {
			c.SharePoint.AppMinute.Limit = 10
			c.ChargeThrottled = tc.charge
		})
		admitN(t, e, drive("a", 1), 10)
		clk.Advance(30 * time.Second)
		for range 5 {
			mustReject(t, e, drive("a", 1), "sharepoint.appMinute")
		}
		clk.Advance(30 * time.Second)
		admitN(t, e, drive("a", 1), tc.after)
		d := mustReject(t, e, drive("a", 1), "sharepoint.appMinute")
		if tc.charge {
			if ra := d.Header.Get("Retry-After"); ra != "30" {
				t.Errorf("charge: Retry-After = %q, want 30", ra)
			}
		}
	}
}

func TestSharePointStatus503(t *testing.T) {
	e, _ := newTestEngine(t, func(c *Config) {
		c.SharePoint.AppMinute.Limit = 1
		c.SharePoint.Status = http.StatusServiceUnavailable
	})
	admitN(t, e, drive("a", 1), 1)
	d := mustReject(t, e, drive("a", 1), "sharepoint.appMinute")
	if d.Status != http.StatusServiceUnavailable || d.Code != "activityLimitReached" || d.Header.Get("Retry-After") == "" {
		t.Errorf("decision = %d %s Retry-After %q", d.Status, d.Code, d.Header.Get("Retry-After"))
	}
}

func TestSharePointRateLimitHeaders(t *testing.T) {
	for _, tc := range []struct {
		enabled bool
		used    int // RU before the observed request (2 RU)
		want    map[string]string
	}{
		{true, 0, nil},
		{true, 997, nil}, // 999 of 1,250: just under 80%
		{true, 998, map[string]string{"RateLimit-Limit": "1250", "RateLimit-Remaining": "250", "RateLimit-Reset": "60"}},
		{false, 998, nil},
	} {
		e, _ := newTestEngine(t, func(c *Config) { c.SharePoint.RateLimitHeaders = tc.enabled })
		if tc.used > 0 {
			admitN(t, e, drive("a", 1), tc.used)
		}
		tk, d := e.Admit(drive("a", 2))
		if d != nil {
			t.Fatalf("rejected: %s", d.Limit)
		}
		h := http.Header{}
		tk.SetHeaders(h)
		tk.Done()
		for _, k := range []string{"RateLimit-Limit", "RateLimit-Remaining", "RateLimit-Reset"} {
			if got, want := h.Get(k), tc.want[k]; got != want {
				t.Errorf("enabled=%v used=%d: %s = %q, want %q", tc.enabled, tc.used, k, got, want)
			}
		}
		if h.Get(HeaderResourceUnit) != "" {
			t.Errorf("SharePoint response carries %s", HeaderResourceUnit)
		}
	}
}
