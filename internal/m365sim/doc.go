// Package m365sim emulates a Microsoft 365 tenant behind Microsoft Graph and
// the Microsoft identity platform, over real HTTP(S), so that SafeGuard365
// can be built, tested, demonstrated and benchmarked without a real tenant.
//
// It is written from Microsoft's documentation, never from our own client:
// it shares no code with internal/graph, so neither can hide the other's
// mistakes. Where Graph is awkward, the emulator is awkward too.
//
// The sub-packages hold the parts: tenant (data model, change logs,
// generator, mutator, import), identity (token endpoint and JWT
// validation), limits (throttling, fault injection, counters), odata and
// batch (request parsers) and simtls (the CA used to serve HTTPS). This
// package wires them into an http.Handler (Server), a listener (Listen), a
// test helper (Start) and the control API under /_sim/ (see control.go).
//
// # Request pipeline
//
// Every Graph request gets request-id and client-request-id headers, has a
// gzip body decoded, may receive an injected fault, is authenticated (401
// InvalidAuthenticationToken with WWW-Authenticate), has its path
// normalised (case-insensitive segments, mailFolders('id') key syntax,
// delta(token='…') parameters, root:/path: addressing), is checked against
// the app's roles (403 in the owning service's words), is admitted by the
// throttling engine (429/503 with Retry-After), and only then reaches its
// handler. Handlers build their answer under the tenant's lock and write it
// after releasing it, so a slow client never blocks the tenant.
//
// # Emulated
//
//   - Identity: instance discovery, OpenID configuration, JWKS, token
//     endpoint (secret, Basic, certificate assertion), token expiry.
//   - Directory: organization, domains, subscribedSkus, users (default
//     property set, $select, $filter, $orderby, $top ≤ 999, $count with
//     ConsistencyLevel, /users/$count, delta with @removed), groups,
//     members, groups delta.
//   - Mail: mailFolders (well-known names, childFolders, hidden folders,
//     create, rename, delta), messages (list, get, $value MIME, create from
//     JSON with singleValueExtendedProperties or from base64 MIME, PATCH
//     with Exchange's sent-message rules, move with a new REST id, DELETE
//     into Recoverable Items), per-folder message delta, attachments (list,
//     get, $value, add ≤ 3 MB, upload sessions to 150 MB),
//     Prefer: IdType="ImmutableId", Prefer: odata.maxpagesize.
//   - Calendar: calendars (list, create), events (CRUD, a service-set
//     iCalUId, attachments ≤ 3 MB and upload sessions to 150 MB),
//     calendarView/delta with the window kept in the token; series:
//     …/events/{id}/instances (required window, at most 1825 days),
//     occurrences and exceptions addressable by id (PATCH makes an
//     exception, DELETE cancels), generated and mutated exceptions and
//     cancellations, which change the master's changeKey.
//   - Contacts: contactFolders (list, create, childFolders), contacts
//     (CRUD), per-folder delta.
//   - OneDrive: drives, items by id or path, children, folders, rename,
//     move, delete, root delta (token=latest, deleted facets, no
//     parentReference.path), 302 content redirect to a pre-authenticated
//     URL with Range and If-None-Match, PUT content ≤ 250 MB with
//     conflictBehavior, upload sessions (320 KiB fragments, 202/416/409/201,
//     status, cancel, deferCommit), versions and restoreVersion,
//     permissions.
//   - $batch: ≤ 20 requests, unique ids, dependsOn with 424, at most four
//     sub-requests at once, each throttled on its own.
//   - /v1.0 and /beta paths (the same behaviour), gzip request bodies.
//   - Throttling, faults and counters: see package limits.
//   - State: with Options.StateDir (`sg365 sim serve --state DIR`) the
//     tenant (every object, change log and id counter; see tenant.Save),
//     the app's client id and secret and the token signing key survive a
//     restart, so credentials, access tokens and delta links keep working.
//     The control API snapshots, restores and resets the tenant; after a
//     restore, delta links issued after the snapshot get 410 Gone.
//
// # Not emulated yet
//
//   - Pre-authenticated download URLs and open upload sessions do not
//     survive a restart.
//   - The changeType delta option, the receivedDateTime delta filter's
//     5,000-message cap, calendarView occurrence expansion of recurring
//     series, time zones other than UTC in events (recurrences expand in
//     UTC), beta's exceptionOccurrences and cancelledOccurrences,
//     attachments of occurrences.
//   - SharePoint sites and lists, Teams, groups' drives, mailboxSettings,
//     message copy, send and reply, itemAttachment expansion.
//   - Drive delta by timestamp token, sharing-related Prefer headers,
//     cTag omission on OneDrive for Business create events.
//   - Identity RU costs are fixed per route rather than adjusted for
//     $select/$expand/$top as the documented cost table does.
//   - Token lifetime of delta links: they expire only by fault injection.
package m365sim
