// Package graph is the one Microsoft Graph client every part of SafeGuard365
// uses. Graph URLs, Graph errors, retries and throttling are handled here and
// nowhere else: callers get typed iterators, typed errors and streams.
//
// # Vocabulary
//
//   - A Client talks to one tenant. It owns the token cache, the retry layer
//     and the throttle governor, so it must be shared by everything that
//     works on that tenant.
//   - A Class names the Graph workload a request belongs to (mail, calendar,
//     contacts, drive, directory). Classes that share a Graph service share
//     its limits: mail, calendar and contacts are all "outlook".
//   - A resource key names the mailbox or drive a request touches. Outlook
//     limits each (app, mailbox) pair to four concurrent requests and a
//     request rate, so requests carry the key and the governor gates on it
//     before anything is sent.
//   - A lane is the governor's state for one throttling domain: a mailbox, a
//     drive, or a tenant-wide service. A lane has a fence (no request starts
//     before a Retry-After has passed) and an adaptive rate (AIMD: cut by a
//     factor on a throttle, grown additively while demand exceeds it).
//
// # Request flow
//
// Every call goes through Client.Do: the governor admits it (resource
// concurrency slot, resource fence and pacing, service fence and pacing,
// global in-flight cap, in that order, so a fenced mailbox never holds slots
// other mailboxes need), a bearer token is attached if the URL is the Graph
// host, and the response is classified once by translate. 429, 503, 504 and
// dropped connections are retried with Retry-After or jittered exponential
// backoff, inside a per-call attempt cap and wait budget. Writes are retried
// on dropped connections and 503/504 only when marked safe (RetrySafe,
// WithRetrySafe); a 429 is retried for every method because Graph rejected
// the request without running it.
//
// Pre-authenticated URLs (drive download URLs, upload sessions) never get an
// Authorization header, and redirects are never followed by net/http, so a
// token cannot leak to a host that is not Graph.
package graph
