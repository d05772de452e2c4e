package limits

import "net/http"

// limitID names one limit. Each one has its own state per key.
type limitID uint8

const (
	limGlobal limitID = iota
	limOutlookConcurrency
	limOutlookAppConcurrency
	limOutlookRequests
	limOutlookUpload
	limSharePointAppMinute
	limSharePointAppDay
	limSharePointTenant
	limIdentityAppTenant
	limIdentityApp
	limIdentityAppTenantWrites
	limIdentityAppWrites
	limIdentityTenantWrites
	numLimits
)

type limitKind uint8

const (
	kindWindow limitKind = iota // sliding window of units
	kindBucket                  // token bucket of units
	kindSlots                   // concurrent requests
)

// limitSpec is what a rejection by one limit looks like on the wire.
type limitSpec struct {
	name    string // stable, for Engine.Throttles and Decision.Limit
	kind    limitKind
	status  int // 0: SharePointLimits.Status decides
	code    string
	message string
	inner   string
	// scope and info fill x-ms-throttle-scope (scope + "/" + app + "/" +
	// tenant) and x-ms-throttle-information for identity limits.
	scope string
	info  string
}

var specs = [numLimits]limitSpec{
	limGlobal: {name: "global", kind: kindWindow, status: http.StatusTooManyRequests,
		code: CodeTooManyRequests, message: msgTooManyRequests},
	limOutlookConcurrency: {name: "outlook.concurrency", kind: kindSlots, status: http.StatusTooManyRequests,
		code: CodeApplicationThrottled, message: msgMailboxConcurrency},
	limOutlookAppConcurrency: {name: "outlook.appConcurrency", kind: kindSlots, status: http.StatusTooManyRequests,
		code: CodeApplicationThrottled, message: msgMailboxConcurrency},
	limOutlookRequests: {name: "outlook.requests", kind: kindWindow, status: http.StatusTooManyRequests,
		code: CodeApplicationThrottled, message: msgMailboxRequestRate},
	limOutlookUpload: {name: "outlook.upload", kind: kindWindow, status: http.StatusTooManyRequests,
		code: CodeApplicationThrottled, message: msgMailboxUploadRate},
	limSharePointAppMinute: {name: "sharepoint.appMinute", kind: kindWindow,
		code: CodeActivityLimitReached, message: msgSharePointThrottled, inner: CodeThrottledRequest},
	limSharePointAppDay: {name: "sharepoint.appDay", kind: kindWindow,
		code: CodeActivityLimitReached, message: msgSharePointThrottled, inner: CodeThrottledRequest},
	limSharePointTenant: {name: "sharepoint.tenant", kind: kindWindow,
		code: CodeActivityLimitReached, message: msgSharePointThrottled, inner: CodeThrottledRequest},
	limIdentityAppTenant: {name: "identity.appTenant", kind: kindBucket, status: http.StatusTooManyRequests,
		code: CodeTooManyRequests, message: msgTooManyRequests,
		scope: "Tenant_Application/ReadWrite", info: identityThrottleRUExceeded},
	limIdentityApp: {name: "identity.app", kind: kindBucket, status: http.StatusTooManyRequests,
		code: CodeTooManyRequests, message: msgTooManyRequests,
		scope: "Application/ReadWrite", info: identityThrottleRUExceeded},
	limIdentityAppTenantWrites: {name: "identity.appTenantWrites", kind: kindBucket, status: http.StatusTooManyRequests,
		code: CodeTooManyRequests, message: msgTooManyRequests,
		scope: "Tenant_Application/Write", info: identityThrottleWriteExceed},
	limIdentityAppWrites: {name: "identity.appWrites", kind: kindBucket, status: http.StatusTooManyRequests,
		code: CodeTooManyRequests, message: msgTooManyRequests,
		scope: "Application/Write", info: identityThrottleWriteExceed},
	limIdentityTenantWrites: {name: "identity.tenantWrites", kind: kindBucket, status: http.StatusTooManyRequests,
		code: CodeTooManyRequests, message: msgTooManyRequests,
		scope: "Tenant/Write", info: identityThrottleWriteExceed},
}

// params are a limit's numbers after TimeScale, in nanoseconds.
type params struct {
	limit  int64 // units per window/period, or concurrent requests
	span   int64 // window or refill period, scaled, at least windowSlots ns
	enable bool
}

// compile scales cfg's limits into per-limit params.
func compile(cfg *Config) [numLimits]params {
	scale := func(limit int64, d int64) params {
		if limit <= 0 {
			return params{}
		}
		span := max(int64(float64(d)/cfg.TimeScale), windowSlots)
		return params{limit: limit, span: span, enable: true}
	}
	o, s, id := &cfg.Outlook, &cfg.SharePoint, &cfg.Identity
	var p [numLimits]params
	p[limGlobal] = scale(cfg.Global.Limit, int64(cfg.Global.Window))
	if o.Concurrency > 0 {
		p[limOutlookConcurrency] = params{limit: int64(o.Concurrency), enable: true}
	}
	if o.AppConcurrency > 0 {
		p[limOutlookAppConcurrency] = params{limit: int64(o.AppConcurrency), enable: true}
	}
	p[limOutlookRequests] = scale(o.Requests.Limit, int64(o.Requests.Window))
	p[limOutlookUpload] = scale(o.Upload.Limit, int64(o.Upload.Window))
	p[limSharePointAppMinute] = scale(s.AppMinute.Limit, int64(s.AppMinute.Window))
	p[limSharePointAppDay] = scale(s.AppDay.Limit, int64(s.AppDay.Window))
	p[limSharePointTenant] = scale(s.Tenant.Limit, int64(s.Tenant.Window))
	// The app+tenant identity budget depends on the tenant's size, so its
	// limit is picked per request; only the period is fixed here.
	p[limIdentityAppTenant] = scale(max(id.Small, id.Medium, id.Large), int64(id.Period))
	p[limIdentityApp] = scale(id.App.Limit, int64(id.App.Window))
	p[limIdentityAppTenantWrites] = scale(id.AppTenantWrites.Limit, int64(id.AppTenantWrites.Window))
	p[limIdentityAppWrites] = scale(id.AppWrites.Limit, int64(id.AppWrites.Window))
	p[limIdentityTenantWrites] = scale(id.TenantWrites.Limit, int64(id.TenantWrites.Window))
	return p
}

// identityBudget returns the app+tenant RU budget for a tenant of n users:
// S under 50, M from 50 to 500, L above 500. A size whose budget is 0 is not
// limited.
func identityBudget(id *IdentityLimits, n int) int64 {
	switch {
	case n < 50:
		return id.Small
	case n <= 500:
		return id.Medium
	}
	return id.Large
}
