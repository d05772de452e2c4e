package limits

import (
	"math"
	"strings"
	"testing"
	"time"
)

func TestDefaultConfigIsDocumented(t *testing.T) {
	c := DefaultConfig()
	if err := c.Validate(); err != nil {
		t.Fatalf("DefaultConfig().Validate() = %v", err)
	}
	for _, tc := range []struct {
		name      string
		got, want any
	}{
		{"global", c.Global, Rate{130_000, 10 * time.Second}},
		{"outlook concurrency", c.Outlook.Concurrency, 4},
		{"outlook requests", c.Outlook.Requests, Rate{10_000, 10 * time.Minute}},
		{"outlook upload", c.Outlook.Upload, Rate{150 << 20, 5 * time.Minute}},
		{"sharepoint minute", c.SharePoint.AppMinute, Rate{1_250, time.Minute}},
		{"sharepoint day", c.SharePoint.AppDay, Rate{1_200_000, 24 * time.Hour}},
		{"sharepoint tenant", c.SharePoint.Tenant, Rate{18_750, 5 * time.Minute}},
		{"sharepoint status", c.SharePoint.Status, 429},
		{"identity sizes", [3]int64{c.Identity.Small, c.Identity.Medium, c.Identity.Large}, [3]int64{3_500, 5_000, 8_000}},
		{"identity period", c.Identity.Period, 10 * time.Second},
		{"time scale", c.TimeScale, 1.0},
		{"charge throttled", c.ChargeThrottled, true},
	} {
		if tc.got != tc.want {
			t.Errorf("%s = %v, want %v", tc.name, tc.got, tc.want)
		}
	}
}

func TestConfigValidate(t *testing.T) {
	for _, tc := range []struct {
		name string
		mod  func(*Config)
		want string // substring of the error; "" means valid
	}{
		{"default", func(*Config) {}, ""},
		{"limits off", func(c *Config) { c.Global = Rate{}; c.Outlook = OutlookLimits{} }, ""},
		{"zero time scale", func(c *Config) { c.TimeScale = 0 }, "time scale 0"},
		{"negative time scale", func(c *Config) { c.TimeScale = -1 }, "time scale -1"},
		{"NaN time scale", func(c *Config) { c.TimeScale = math.NaN() }, "time scale NaN"},
		{"huge time scale", func(c *Config) { c.TimeScale = 1e9 }, "time scale"},
		{"fraction share", func(c *Config) { c.FractionalRetryAfter = 1.5 }, "fractional retry-after share 1.5"},
		{"negative global", func(c *Config) { c.Global.Limit = -1 }, "global: limit -1 is negative"},
		{"window missing", func(c *Config) { c.Outlook.Requests.Window = 0 }, "outlook.requests: window 0s must be positive"},
		{"negative concurrency", func(c *Config) { c.Outlook.Concurrency = -4 }, "outlook.concurrency: -4 is negative"},
		{"negative app concurrency", func(c *Config) { c.Outlook.AppConcurrency = -1 }, "outlook.appConcurrency"},
		{"sharepoint status", func(c *Config) { c.SharePoint.Status = 500 }, "sharepoint.status: 500 must be 429 or 503"},
		{"sharepoint day window", func(c *Config) { c.SharePoint.AppDay.Window = -time.Hour }, "sharepoint.appDay"},
		{"identity period", func(c *Config) { c.Identity.Period = 0 }, "identity.period"},
		{"identity negative size", func(c *Config) { c.Identity.Medium = -5 }, "identity: tenant-size budgets"},
		{"identity writes", func(c *Config) { c.Identity.TenantWrites.Window = 0 }, "identity.tenantWrites"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := DefaultConfig()
			tc.mod(&c)
			err := c.Validate()
			switch {
			case tc.want == "" && err != nil:
				t.Fatalf("Validate() = %v, want nil", err)
			case tc.want != "" && err == nil:
				t.Fatalf("Validate() = nil, want error containing %q", tc.want)
			case tc.want != "" && !strings.Contains(err.Error(), tc.want):
				t.Fatalf("Validate() = %v, want it to contain %q", err, tc.want)
			}
		})
	}
}

func TestConfigValidateReportsAllProblems(t *testing.T) {
	c := DefaultConfig()
	c.TimeScale = 0
	c.SharePoint.Status = 200
	err := c.Validate()
	if err == nil || !strings.Contains(err.Error(), "time scale") || !strings.Contains(err.Error(), "sharepoint.status") {
		t.Fatalf("Validate() = %v, want both problems", err)
	}
}

func TestNewRefusesBadInput(t *testing.T) {
	if _, err := New(DefaultConfig(), nil); err == nil || !strings.Contains(err.Error(), "nil clock") {
		t.Errorf("New(nil clock) = %v, want nil clock error", err)
	}
	bad := DefaultConfig()
	bad.TimeScale = 0
	if _, err := New(bad, newFakeClock().Now); err == nil || !strings.Contains(err.Error(), "new limits engine") {
		t.Errorf("New(bad config) = %v, want wrapped validation error", err)
	}
}

func TestSharePointTier(t *testing.T) {
	for _, tc := range []struct {
		licences          int
		minute, day, five int64
	}{
		{0, 1_250, 1_200_000, 18_750},
		{1_000, 1_250, 1_200_000, 18_750},
		{1_001, 2_500, 2_400_000, 37_500},
		{15_000, 3_750, 3_600_000, 56_250},
		{50_000, 5_000, 4_800_000, 75_000},
		{50_001, 6_250, 6_000_000, 93_750},
	} {
		got := SharePointTier(tc.licences)
		if got.AppMinute.Limit != tc.minute || got.AppDay.Limit != tc.day || got.Tenant.Limit != tc.five {
			t.Errorf("SharePointTier(%d) = %d/%d/%d, want %d/%d/%d", tc.licences,
				got.AppMinute.Limit, got.AppDay.Limit, got.Tenant.Limit, tc.minute, tc.day, tc.five)
		}
	}
}

func TestRetryAfterValue(t *testing.T) {
	for _, tc := range []struct {
		d          time.Duration
		fractional bool
		want       string
	}{
		{0, false, "1"},
		{time.Millisecond, false, "1"},
		{time.Second, false, "1"},
		{time.Second + time.Nanosecond, false, "2"},
		{120 * time.Second, false, "120"},
		{2128 * time.Millisecond, true, "2.128"},
		{2127*time.Millisecond + 1, true, "2.128"},
		{0, true, "0.001"},
		{3 * time.Second, true, "3.000"},
	} {
		if got := retryAfterValue(tc.d, tc.fractional); got != tc.want {
			t.Errorf("retryAfterValue(%v, %v) = %q, want %q", tc.d, tc.fractional, got, tc.want)
		}
	}
}
