// Package limits is the emulator's throttling engine, fault injector and
// request counters. It knows nothing about HTTP routing or tenant data: the
// emulator's handlers classify each request (Request), ask an Engine whether
// to admit it, ask Faults whether to break it, and Record what they served in
// Counters. Nothing here starts a goroutine or reads the wall clock on its
// own; every type is safe for concurrent use.
//
// # Use from a handler
//
//	if f := faults.Decide(r.Method, r.URL.Path); f.Kind == limits.FaultStatus { … write f.Decision … }
//	tk, dec := engine.Admit(limits.Request{App: appID, Tenant: tid, Class: limits.ClassOutlook, Resource: userID})
//	if dec != nil { … write dec.Header, dec.Status and the error body from dec.Code/Message … }
//	defer tk.Done()          // after the whole body is written: it frees the concurrency slot
//	tk.SetHeaders(w.Header()) // before WriteHeader
//
// A $batch is admitted one sub-request at a time, and each throttled
// sub-request carries its own Retry-After in its own headers (per
// https://learn.microsoft.com/en-us/graph/json-batching). Graph's rule that
// at most four unordered sub-requests of a batch reach Outlook at once is the
// batch handler's to apply.
//
// # Limits and their sources
//
// Every number is a field of Config; DefaultConfig returns these values.
// Where the docs have changed over time, the current text wins.
//
// Global, per app across all tenants: 130,000 requests per 10 seconds
// (https://learn.microsoft.com/en-us/graph/throttling-limits). Every class
// counts toward it. Rejection: 429 TooManyRequests "Please retry again
// later.", the body of the sample in
// https://learn.microsoft.com/en-us/graph/throttling.
//
// Outlook (mail, calendar, contacts), per app and mailbox
// (https://learn.microsoft.com/en-us/graph/throttling-limits#outlook-service-limits):
// four concurrent requests; 10,000 requests per 10 minutes; 150 MB of PATCH,
// POST and PUT bodies per 5 minutes. "Exceeding the limit for one mailbox
// doesn't affect the ability of the application to access another mailbox",
// so each mailbox has its own state. Rejections are 429 ApplicationThrottled.
// The concurrency message "Application is over its MailboxConcurrency
// limit." is observed in real responses; the docs give no text for the rate
// and upload limits, so "Application is over its MailboxRequestRate limit."
// and "… MailboxUploadRate limit." are ours. An older doc version applied
// the four concurrent requests per app rather than per mailbox;
// OutlookLimits.AppConcurrency models that when set (default off).
//
// OneDrive and SharePoint, in resource units (RU) that the caller computes: 1
// for a single-item GET, a delta with a token or a download; 2 for a
// multi-item query, a delta without a token, or a create, update, delete or
// upload; 5 for permission operations
// (https://learn.microsoft.com/en-us/sharepoint/dev/general-development/how-to-avoid-getting-throttled-or-blocked-in-sharepoint-online).
// Budgets per app and tenant: 1,250 RU per minute and 1,200,000 per day for
// tenants of up to 1,000 licences (SharePointTier gives the larger tiers);
// per tenant for all apps: 18,750 RU per 5 minutes. Rejection: 429 (or 503,
// SharePointLimits.Status) activityLimitReached "The request has been
// throttled" with inner code throttledRequest, the body observed in real
// responses; errors.md lists both codes. The preview RateLimit-Limit,
// -Remaining and -Reset headers, sent from 80% of the per-minute budget
// (https://devblogs.microsoft.com/microsoft365dev/prevent-throttling-in-your-application-by-using-ratelimit-headers-in-sharepoint-online/),
// are off by default because a later text says SharePoint does not send them.
//
// Identity and directory, token buckets
// (https://learn.microsoft.com/en-us/graph/throttling-limits#identity-and-access-service-limits):
// per app and tenant, 3,500, 5,000 or 8,000 RU per 10 seconds for tenants of
// under 50, 50 to 500, and over 500 users (Request.TenantUsers), and 3,000
// writes per 2 minutes 30 seconds; per app, 150,000 RU per 20 seconds and
// 70,000 writes per 5 minutes; per tenant, 18,000 writes per 5 minutes. The
// caller computes the RU from the documented cost table (GET users 2, GET
// groups/{id}/members 3, $select −1, $expand +1, …; never below 1). Every
// identity response carries x-ms-resource-unit; once a bucket is more than
// 80% used, x-ms-throttle-limit-percentage carries the share used (0.8 to
// 1.8). A rejection adds x-ms-throttle-scope
// ("Tenant_Application/ReadWrite/{app}/{tenant}", "Tenant/Write/…", …) and
// x-ms-throttle-information (ResourceUnitLimitExceeded or
// WriteLimitExceeded). The docs give no error body for identity throttling;
// we send the generic TooManyRequests one.
//
// # Accounting
//
// Request, byte and RU budgets are sliding windows of 60 slots: a unit
// charged at t stops counting between 59/60 of a window and a whole window
// later, so a window is always empty one full window after its last charge.
// Identity budgets are token buckets that refill continuously.
//
// "Throttled requests still count toward usage"
// (https://learn.microsoft.com/en-us/graph/throttling), so with
// Config.ChargeThrottled (the default) a rejected request is charged to every
// request and RU budget it was checked against. Retrying early therefore
// pushes recovery further out. Token buckets may go into debt by up to 0.8 of
// their size, which is where the documented 1.8 maximum of
// x-ms-throttle-limit-percentage comes from and which bounds the lockout of a
// client that ignores Retry-After. Upload bytes of a rejected request are not
// charged, because its body is never accepted.
//
// When several limits reject a request, the Decision reports the one that
// frees last, so that a client honouring Retry-After succeeds on its next try
// unless other traffic intervenes. Retry-After is the time until the window
// or bucket has room for this request again. A concurrency rejection cannot
// know when a slot frees and sends OutlookLimits.ConcurrencyRetryAfter (1 s).
// The header holds whole seconds rounded up, at least 1, or, for the share
// Config.FractionalRetryAfter of rejections, seconds with three decimals
// ("2.128") as in the docs' sample, since clients must parse both.
//
// A single request bigger than a whole budget (an upload over 150 MB) is
// admitted when its window is empty, rather than never.
//
// # Time scale
//
// Config.TimeScale divides every window, refill period and Retry-After; the
// limits themselves stay as documented. At TimeScale 60 the Outlook window of
// 10 minutes lasts 10 s, the SharePoint day lasts 24 minutes, the identity
// bucket refills in 1/6 s, and a Retry-After of 600 s reads 10. Because an
// integer Retry-After is at least 1, a client at a large scale may wait
// longer than the scaled window; use fractional Retry-After to avoid that.
// Decision.RetryAfter always holds the exact scaled wait. FaultConfig's
// durations are not scaled.
//
// # Faults
//
// Faults draws one number per selected request from a PCG generator seeded
// with FaultConfig.Seed, so the same seed and the same sequence of Decide
// calls give the same faults. Random faults are 429 TooManyRequests, 503
// serviceNotAvailable and 504 gatewayTimeout with Retry-After (errors.md
// lists 503 with Retry-After and says 504 may accompany it; it names no code
// for 504, so gatewayTimeout is ours), connection resets, slow responses and
// truncated bodies. FailNext scripts failures for tests; ExpireDelta marks a
// delta container so that its next delta request gets 410 Gone. Token expiry
// is the identity package's business, not this one's.
//
// # Not modelled
//
//   - Teams limits (per-channel and per-app rps), and every service family
//     other than Outlook, SharePoint/OneDrive and identity: they get only the
//     global limit.
//   - SharePoint's per-user limits (3,000 requests per 5 minutes, ingress and
//     egress per hour), per-app ingress/egress, per-site limits, the
//     persistent-abuse 503 block, multi-geo, and CSOM/REST costs.
//   - Identity: x-ms-throttle-priority, CPU-based throttling
//     (CPULimitExceeded), the B2C user-creation surcharge, and the special
//     cost of writes to applications.
//   - Services that send no Retry-After (OneNote, identity protection,
//     dataPolicyOperation): every rejection here carries one.
//   - Load-dependent throttling: Graph may throttle below these limits when
//     busy; inject that with Faults instead.
//   - Exact Graph timing: Graph's windows are not documented as sliding or
//     fixed; ours slide in 1/60 steps.
package limits
