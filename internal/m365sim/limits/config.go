package limits

import (
	"errors"
	"fmt"
	"math"
	"time"
)

// maxTimeScale bounds Config.TimeScale. Beyond it the shortest documented
// window (10 s) would shrink below a few microseconds and slot arithmetic
// would round to nothing.
const maxTimeScale = 1e5

// Rate is a budget of Limit units per Window: requests, bytes or resource
// units, depending on the limit. A zero Limit turns that limit off.
type Rate struct {
	Limit  int64
	Window time.Duration
}

func (r Rate) validate(name string) error {
	switch {
	case r.Limit < 0:
		return fmt.Errorf("%s: limit %d is negative", name, r.Limit)
	case r.Limit > 0 && r.Window <= 0:
		return fmt.Errorf("%s: window %v must be positive when a limit is set", name, r.Window)
	}
	return nil
}

// Config holds every limit the Engine enforces. DefaultConfig returns
// Microsoft's documented values; doc.go cites the source of each. Durations
// are in Microsoft's real time; TimeScale shrinks them all at once.
type Config struct {
	// TimeScale divides every window, refill period and Retry-After. 1 is
	// real time; 60 turns a 10-minute window into 10 s and a Retry-After of
	// 120 s into 2 s. Limits (counts) are not scaled.
	TimeScale float64

	// ChargeThrottled makes a rejected request count toward the request and
	// resource-unit budgets it was checked against, as Graph documents
	// ("throttled requests count toward usage"). Upload bytes of a rejected
	// request are never charged: its body is not accepted.
	ChargeThrottled bool

	// FractionalRetryAfter is the share, from 0 to 1, of the engine's
	// rejections whose Retry-After header has a fraction ("2.128", as in the
	// docs' sample) instead of whole seconds. It is applied deterministically
	// (0.25 = every fourth rejection), not at random.
	FractionalRetryAfter float64

	// Global is the per-app budget across all tenants and classes, in
	// requests.
	Global Rate

	Outlook    OutlookLimits
	SharePoint SharePointLimits
	Identity   IdentityLimits
}

// OutlookLimits apply to mail, calendar and contacts requests per (app,
// mailbox).
type OutlookLimits struct {
	// Concurrency is the number of requests one app may have in flight on
	// one mailbox; 0 turns it off.
	Concurrency int
	// AppConcurrency caps one app's in-flight Outlook requests across all
	// mailboxes. The current docs have no such limit (an older text did), so
	// the default is 0, which turns it off.
	AppConcurrency int
	// ConcurrencyRetryAfter is the Retry-After sent with a concurrency
	// rejection. A slot frees when another request finishes, which the
	// engine cannot foresee, so this is a fixed hint (scaled like the rest).
	ConcurrencyRetryAfter time.Duration
	// Requests is the request budget per (app, mailbox).
	Requests Rate
	// Upload is the budget of request-body bytes per (app, mailbox), charged
	// for writes (PATCH, POST, PUT).
	Upload Rate
}

// SharePointLimits apply to OneDrive and SharePoint requests, whose cost is
// given in resource units (RU) by the caller.
type SharePointLimits struct {
	// AppMinute and AppDay are RU budgets per (app, tenant).
	AppMinute Rate
	AppDay    Rate
	// Tenant is the RU budget for all apps of a tenant together.
	Tenant Rate
	// Status is the status of a rejection: 429 (default) or 503; the docs
	// allow both.
	Status int
	// RateLimitHeaders adds RateLimit-Limit, -Remaining and -Reset to
	// admitted requests once an app has used 80% of AppMinute. Microsoft
	// announced these as a preview and a later text says they are not
	// returned, so the default is off.
	RateLimitHeaders bool
}

// IdentityLimits apply to directory requests (users, groups, applications…),
// which Graph meters with token buckets of resource units. Each Rate here is a
// bucket holding Limit units that refills Limit units per Window.
type IdentityLimits struct {
	// Small, Medium and Large are the RU per Period per (app, tenant) for a
	// tenant with fewer than 50 users, 50 to 500 users, and more than 500
	// users (Request.TenantUsers picks the size).
	Small, Medium, Large int64
	Period               time.Duration
	// App is the RU bucket of one app across all tenants.
	App Rate
	// AppTenantWrites, AppWrites and TenantWrites count write requests per
	// (app, tenant), per app, and per tenant for all apps.
	AppTenantWrites Rate
	AppWrites       Rate
	TenantWrites    Rate
}

// DefaultConfig returns the limits Microsoft documents, in real time
// (TimeScale 1), with throttled requests charged. SharePoint uses the tier of
// tenants with up to 1,000 licences; see SharePointTier for the others.
func DefaultConfig() Config {
	return Config{
		TimeScale:       1,
		ChargeThrottled: true,
		Global:          Rate{Limit: 130_000, Window: 10 * time.Second},
		Outlook: OutlookLimits{
			Concurrency:           4,
			ConcurrencyRetryAfter: time.Second,
			Requests:              Rate{Limit: 10_000, Window: 10 * time.Minute},
			// The docs say "150 MB" without saying 10^6 or 2^20 bytes; 2^20
			// is the lenient reading, so a client within either passes.
			Upload: Rate{Limit: 150 << 20, Window: 5 * time.Minute},
		},
		SharePoint: SharePointTier(0),
		Identity: IdentityLimits{
			Small:           3_500,
			Medium:          5_000,
			Large:           8_000,
			Period:          10 * time.Second,
			App:             Rate{Limit: 150_000, Window: 20 * time.Second},
			AppTenantWrites: Rate{Limit: 3_000, Window: 150 * time.Second},
			AppWrites:       Rate{Limit: 70_000, Window: 5 * time.Minute},
			TenantWrites:    Rate{Limit: 18_000, Window: 5 * time.Minute},
		},
	}
}

// SharePointTier returns the SharePoint limits of a tenant with the given
// number of licences. The docs publish five tiers (up to 1,000; 5,000;
// 15,000; 50,000; more) whose budgets are 1×…5× those of the first tier:
// 1,250 RU per minute and 1,200,000 per day per app, 18,750 per 5 minutes for
// the tenant. The middle tiers' exact figures are partly inferred from that
// pattern.
func SharePointTier(licences int) SharePointLimits {
	var k int64
	switch {
	case licences <= 1_000:
		k = 1
	case licences <= 5_000:
		k = 2
	case licences <= 15_000:
		k = 3
	case licences <= 50_000:
		k = 4
	default:
		k = 5
	}
	return SharePointLimits{
		AppMinute: Rate{Limit: k * 1_250, Window: time.Minute},
		AppDay:    Rate{Limit: k * 1_200_000, Window: 24 * time.Hour},
		Tenant:    Rate{Limit: k * 18_750, Window: 5 * time.Minute},
		Status:    429,
	}
}

// Validate reports every problem in c, joined, or nil.
func (c Config) Validate() error {
	var errs []error
	add := func(err error) {
		if err != nil {
			errs = append(errs, err)
		}
	}
	if math.IsNaN(c.TimeScale) || c.TimeScale <= 0 || c.TimeScale > maxTimeScale {
		add(fmt.Errorf("time scale %v must be in (0, %v]", c.TimeScale, float64(maxTimeScale)))
	}
	if math.IsNaN(c.FractionalRetryAfter) || c.FractionalRetryAfter < 0 || c.FractionalRetryAfter > 1 {
		add(fmt.Errorf("fractional retry-after share %v must be in [0, 1]", c.FractionalRetryAfter))
	}
	add(c.Global.validate("global"))

	o := c.Outlook
	if o.Concurrency < 0 {
		add(fmt.Errorf("outlook.concurrency: %d is negative", o.Concurrency))
	}
	if o.AppConcurrency < 0 {
		add(fmt.Errorf("outlook.appConcurrency: %d is negative", o.AppConcurrency))
	}
	if o.ConcurrencyRetryAfter < 0 {
		add(fmt.Errorf("outlook.concurrencyRetryAfter: %v is negative", o.ConcurrencyRetryAfter))
	}
	add(o.Requests.validate("outlook.requests"))
	add(o.Upload.validate("outlook.upload"))

	s := c.SharePoint
	add(s.AppMinute.validate("sharepoint.appMinute"))
	add(s.AppDay.validate("sharepoint.appDay"))
	add(s.Tenant.validate("sharepoint.tenant"))
	if s.Status != 429 && s.Status != 503 {
		add(fmt.Errorf("sharepoint.status: %d must be 429 or 503", s.Status))
	}

	id := c.Identity
	if id.Small < 0 || id.Medium < 0 || id.Large < 0 {
		add(fmt.Errorf("identity: tenant-size budgets %d/%d/%d must not be negative", id.Small, id.Medium, id.Large))
	}
	if (id.Small > 0 || id.Medium > 0 || id.Large > 0) && id.Period <= 0 {
		add(fmt.Errorf("identity.period: %v must be positive when a tenant-size budget is set", id.Period))
	}
	add(id.App.validate("identity.app"))
	add(id.AppTenantWrites.validate("identity.appTenantWrites"))
	add(id.AppWrites.validate("identity.appWrites"))
	add(id.TenantWrites.validate("identity.tenantWrites"))

	if len(errs) > 0 {
		return fmt.Errorf("invalid limits config: %w", errors.Join(errs...))
	}
	return nil
}
