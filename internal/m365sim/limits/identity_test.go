package limits

import (
	"net/http"
	"testing"
	"time"
)

func directory(users, ru int) Request {
	return Request{App: "app1", Tenant: "tenant1", Class: ClassIdentity, RU: ru, TenantUsers: users}
}

// countAdmitted admits r until the first rejection (at most max times) and
// returns how many were admitted and the rejection.
func countAdmitted(t *testing.T, e *Engine, r Request, limit int) (int, *Decision) {
	t.Helper()
	for n := range limit {
		tk, d := e.Admit(r)
		if d != nil {
			return n, d
		}
		tk.Done()
	}
	return limit, nil
}

func TestIdentityBudgetByTenantSize(t *testing.T) {
	for _, tc := range []struct {
		users int
		want  int
	}{
		{0, 3_500}, {49, 3_500}, {50, 5_000}, {500, 5_000}, {501, 8_000},
	} {
		e, _ := newTestEngine(t, nil)
		n, d := countAdmitted(t, e, directory(tc.users, 1), 10_000)
		if n != tc.want || d == nil || d.Limit != "identity.appTenant" {
			t.Errorf("users=%d: %d admitted (rejection %v), want %d then identity.appTenant", tc.users, n, d, tc.want)
		}
	}
}

func TestIdentityHeaders(t *testing.T) {
	e, _ := newTestEngine(t, nil)
	headersOf := func(r Request) http.Header {
		t.Helper()
		tk, d := e.Admit(r)
		if d != nil {
			t.Fatalf("rejected: %s", d.Limit)
		}
		h := http.Header{}
		tk.SetHeaders(h)
		tk.Done()
		return h
	}
	// A small tenant: 3,500 RU per 10 s.
	h := headersOf(directory(10, 2))
	if h.Get("x-ms-resource-unit") != "2" || h.Get("x-ms-throttle-limit-percentage") != "" {
		t.Errorf("fresh: headers %v", h)
	}
	admitN(t, e, directory(10, 1), 2_798) // 2,800 used: exactly 80%
	if h := headersOf(directory(10, 0)); h.Get("x-ms-resource-unit") != "1" || h.Get("x-ms-throttle-limit-percentage") != "0.8" {
		// 2,801 of 3,500 is just above 0.8; cost 0 counts as 1.
		t.Errorf("above 80%%: headers %v", h)
	}
	admitN(t, e, directory(10, 1), 199) // 3,000
	if h := headersOf(directory(10, 5)); h.Get("x-ms-throttle-limit-percentage") != "0.86" {
		t.Errorf("3,005 of 3,500: headers %v", h)
	}
	admitN(t, e, directory(10, 1), 495) // 3,500: empty
	tk, d := e.Admit(directory(10, 3))
	if d == nil {
		tk.Done()
		t.Fatal("admitted past the budget")
	}
	want := map[string]string{
		"Retry-After":                    "1",
		"x-ms-resource-unit":             "3",
		"x-ms-throttle-limit-percentage": "1",
		"x-ms-throttle-scope":            "Tenant_Application/ReadWrite/app1/tenant1",
		"x-ms-throttle-information":      "ResourceUnitLimitExceeded",
	}
	for k, v := range want {
		if got := d.Header.Get(k); got != v {
			t.Errorf("429 %s = %q, want %q", k, got, v)
		}
	}
	if d.Status != http.StatusTooManyRequests || d.Code != "TooManyRequests" {
		t.Errorf("429 decision %d %s", d.Status, d.Code)
	}
}

func TestIdentityTokenBucketRefills(t *testing.T) {
	e, clk := newTestEngine(t, func(c *Config) { c.TimeScale = 10 })
	r := directory(10, 1)
	admitN(t, e, r, 3_500)
	d := mustReject(t, e, r, "identity.appTenant")
	// Charged: 1 token owed, 2 needed, at 3,500 per scaled second.
	if want := 571_429 * time.Nanosecond; d.RetryAfter != want { // 2/3,500 s, rounded up
		t.Errorf("RetryAfter = %v, want %v", d.RetryAfter, want)
	}
	clk.Advance(100 * time.Millisecond) // a tenth of the scaled 10 s period: 350 RU
	n, _ := countAdmitted(t, e, r, 1_000)
	if n != 349 {
		t.Errorf("after a tenth of the period %d admitted, want 349 (350 minus the throttled one)", n)
	}
}

func TestIdentityOverdraftIsBounded(t *testing.T) {
	e, clk := newTestEngine(t, nil)
	r := directory(10, 1)
	admitN(t, e, r, 3_500)
	var d *Decision
	for range 10_000 { // a client ignoring Retry-After
		d = mustReject(t, e, r, "identity.appTenant")
	}
	if got := d.Header.Get("x-ms-throttle-limit-percentage"); got != "1.8" {
		t.Errorf("percentage after hammering = %q, want the documented maximum 1.8", got)
	}
	// 0.8 × 3,500 owed plus 1 needed, at 350 per second: just over 8 s.
	if d.RetryAfter < 8*time.Second || d.RetryAfter > 9*time.Second {
		t.Errorf("RetryAfter = %v, want about 8 s", d.RetryAfter)
	}
	clk.Advance(d.RetryAfter)
	admitN(t, e, r, 1)
}

func TestIdentityWriteQuota(t *testing.T) {
	e, _ := newTestEngine(t, func(c *Config) { c.Identity.Medium = 100_000 })
	w := directory(100, 1)
	w.Write = true
	admitN(t, e, w, 3_000)
	d := mustReject(t, e, w, "identity.appTenantWrites")
	if got := d.Header.Get("x-ms-throttle-scope"); got != "Tenant_Application/Write/app1/tenant1" {
		t.Errorf("scope = %q", got)
	}
	if got := d.Header.Get("x-ms-throttle-information"); got != "WriteLimitExceeded" {
		t.Errorf("information = %q", got)
	}
	// Reads are still permitted while writes are throttled.
	admitN(t, e, directory(100, 1), 1)
}

func TestIdentityTenantWriteQuotaAcrossApps(t *testing.T) {
	e, _ := newTestEngine(t, func(c *Config) { c.Identity.TenantWrites.Limit = 10 })
	write := func(app string) Request {
		w := directory(10, 1)
		w.App, w.Write = app, true
		return w
	}
	admitN(t, e, write("a"), 5)
	admitN(t, e, write("b"), 5)
	d := mustReject(t, e, write("b"), "identity.tenantWrites")
	if got := d.Header.Get("x-ms-throttle-scope"); got != "Tenant/Write/b/tenant1" {
		t.Errorf("scope = %q", got)
	}
	other := write("b")
	other.Tenant = "tenant2"
	admitN(t, e, other, 1)
}
