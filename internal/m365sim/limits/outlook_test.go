package limits

import (
	"net/http"
	"sync"
	"testing"
	"time"
)

func mail(app, mailbox string) Request {
	return Request{App: app, Tenant: "t1", Class: ClassOutlook, Resource: mailbox}
}

func TestOutlookConcurrency(t *testing.T) {
	for _, tc := range []struct {
		name  string
		other Request // a request made while the first mailbox has 4 in flight
		want  bool    // whether other is admitted
	}{
		{"fifth on same mailbox", mail("app", "adele"), false},
		{"another mailbox", mail("app", "bob"), true},
		{"another app on same mailbox", mail("app2", "adele"), true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e, _ := newTestEngine(t, nil)
			var held []Ticket
			for i := range 4 {
				tk, d := e.Admit(mail("app", "adele"))
				if d != nil {
					t.Fatalf("request %d rejected: %s", i+1, d.Message)
				}
				held = append(held, tk)
			}
			tk, d := e.Admit(tc.other)
			if got := d == nil; got != tc.want {
				t.Fatalf("admitted = %v, want %v (decision %+v)", got, tc.want, d)
			}
			tk.Done()
			if d != nil {
				if d.Status != http.StatusTooManyRequests || d.Code != "ApplicationThrottled" ||
					d.Message != "Application is over its MailboxConcurrency limit." {
					t.Errorf("decision = %d %s %q", d.Status, d.Code, d.Message)
				}
				if ra := d.Header.Get("Retry-After"); ra != "1" {
					t.Errorf("Retry-After = %q, want 1", ra)
				}
			}
			for _, h := range held {
				h.Done()
			}
		})
	}
}

func TestTicketDoneFreesOneSlotOnce(t *testing.T) {
	e, _ := newTestEngine(t, nil)
	r := mail("app", "adele")
	var held []Ticket
	for range 4 {
		tk, d := e.Admit(r)
		if d != nil {
			t.Fatal("rejected while filling slots")
		}
		held = append(held, tk)
	}
	mustReject(t, e, r, "outlook.concurrency")

	// Done twice, and once more through a copy: still one slot.
	held[0].Done()
	held[0].Done()
	cp := held[0]
	cp.Done()
	tk, d := e.Admit(r)
	if d != nil {
		t.Fatalf("rejected after Done: %s", d.Message)
	}
	mustReject(t, e, r, "outlook.concurrency")

	// The zero Ticket of a rejection is harmless.
	Ticket{}.Done()
	tk.Done()
	for _, h := range held[1:] {
		h.Done()
	}
	admitN(t, e, r, 4)
}

func TestOutlookConcurrencyUnderRace(t *testing.T) {
	e, _ := newTestEngine(t, nil)
	var (
		mu       sync.Mutex
		admitted []Ticket
		wg       sync.WaitGroup
	)
	for range 64 {
		wg.Go(func() {
			tk, d := e.Admit(mail("app", "adele"))
			if d == nil {
				mu.Lock()
				admitted = append(admitted, tk)
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	if len(admitted) != 4 {
		t.Fatalf("%d of 64 concurrent requests admitted, want 4", len(admitted))
	}
}

func TestOutlookAppConcurrency(t *testing.T) {
	e, _ := newTestEngine(t, func(c *Config) { c.Outlook.AppConcurrency = 3 })
	for _, mb := range []string{"a", "b", "c"} {
		if _, d := e.Admit(mail("app", mb)); d != nil {
			t.Fatalf("mailbox %s rejected: %s", mb, d.Limit)
		}
	}
	mustReject(t, e, mail("app", "d"), "outlook.appConcurrency")
	if _, d := e.Admit(mail("other-app", "d")); d != nil {
		t.Fatalf("another app rejected: %s", d.Limit)
	}
}

func TestOutlookRequestWindow(t *testing.T) {
	for _, tc := range []struct {
		name   string
		scale  float64
		charge bool   // Config.ChargeThrottled
		retry  string // Retry-After of the first rejection
		after  int    // requests admitted once the window has passed
	}{
		// The rejected retry just before the window ends still counts.
		{"real time", 1, true, "600", 9_999},
		{"scaled 60", 60, true, "10", 9_999},
		{"scaled 600", 600, true, "1", 9_999},
		{"throttled not charged", 60, false, "10", 10_000},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e, clk := newTestEngine(t, func(c *Config) {
				c.TimeScale = tc.scale
				c.ChargeThrottled = tc.charge
			})
			window := time.Duration(float64(10*time.Minute) / tc.scale)
			r := mail("app", "adele")
			admitN(t, e, r, 10_000)
			d := mustReject(t, e, r, "outlook.requests")
			if d.Code != "ApplicationThrottled" || d.Header.Get("Retry-After") != tc.retry {
				t.Errorf("decision %s Retry-After %q, want ApplicationThrottled %q", d.Code, d.Header.Get("Retry-After"), tc.retry)
			}
			if d.RetryAfter != window {
				t.Errorf("RetryAfter = %v, want %v", d.RetryAfter, window)
			}
			// Another mailbox is unaffected.
			admitN(t, e, mail("app", "bob"), 1)

			clk.Advance(window - time.Nanosecond)
			if d := mustReject(t, e, r, "outlook.requests"); d.RetryAfter != time.Nanosecond {
				t.Errorf("RetryAfter 1ns before the window ends = %v", d.RetryAfter)
			}
			clk.Advance(time.Nanosecond)
			admitN(t, e, r, tc.after)
			mustReject(t, e, r, "outlook.requests")
		})
	}
}

func TestOutlookRequestWindowSlides(t *testing.T) {
	e, clk := newTestEngine(t, nil)
	r := mail("app", "adele")
	// 1,000 requests at the start of each minute 0…9.
	for range 10 {
		admitN(t, e, r, 1_000)
		clk.Advance(time.Minute)
	}
	// Now at 10:00 minute 0 has left the window: 1,000 more fit.
	admitN(t, e, r, 1_000)
	d := mustReject(t, e, r, "outlook.requests")
	if ra := d.Header.Get("Retry-After"); ra != "60" {
		t.Errorf("Retry-After = %q, want 60 (when minute 1's requests leave)", ra)
	}
	clk.Advance(30 * time.Second)
	d = mustReject(t, e, r, "outlook.requests")
	if ra := d.Header.Get("Retry-After"); ra != "30" {
		t.Errorf("Retry-After = %q, want 30", ra)
	}
}

func TestOutlookUploadBudget(t *testing.T) {
	const mib = 1 << 20
	e, clk := newTestEngine(t, nil)
	up := func(n int64) Request {
		r := mail("app", "adele")
		r.Write, r.UploadBytes = true, n
		return r
	}
	admitN(t, e, up(100*mib), 1)
	clk.Advance(2 * time.Minute)
	admitN(t, e, up(50*mib), 1) // exactly 150 MiB
	d := mustReject(t, e, up(1), "outlook.upload")
	if d.Message != "Application is over its MailboxUploadRate limit." {
		t.Errorf("message %q", d.Message)
	}
	if ra := d.Header.Get("Retry-After"); ra != "180" {
		t.Errorf("Retry-After = %q, want 180 (the first upload leaves at 5:00)", ra)
	}
	// Reads and bodiless writes are not limited by the upload budget.
	admitN(t, e, mail("app", "adele"), 1)
	admitN(t, e, up(0), 1)
	// Another mailbox has its own budget.
	r := up(150 * mib)
	r.Resource = "bob"
	admitN(t, e, r, 1)

	// At 5:00 the 100 MiB upload has left. The rejected byte was never
	// charged, so 100 MiB fit again.
	clk.Advance(3 * time.Minute)
	admitN(t, e, up(100*mib), 1)
	mustReject(t, e, up(1), "outlook.upload")
}

func TestOversizedRequestWaitsForEmptyWindow(t *testing.T) {
	e, clk := newTestEngine(t, func(c *Config) { c.Outlook.Upload.Limit = 10 })
	big := mail("app", "adele")
	big.Write, big.UploadBytes = true, 25
	admitN(t, e, big, 1)
	mustReject(t, e, big, "outlook.upload")
	clk.Advance(5 * time.Minute)
	admitN(t, e, big, 1)
}
