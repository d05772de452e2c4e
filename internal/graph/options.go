package graph

import (
	"log/slog"
	"net/http"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore"
	"github.com/prometheus/client_golang/prometheus"
)

// Options tune a Client. The zero value of every field selects the default
// documented on it.
type Options struct {
	// Credential replaces the credential Config describes; tests and
	// callers with their own token source use it. Config then needs only
	// its endpoints.
	Credential azcore.TokenCredential

	// Transport carries all requests. Default: a clone of
	// http.DefaultTransport that trusts Config.CACerts besides the system
	// roots and keeps up to MaxInFlight idle connections per host.
	Transport http.RoundTripper

	// Logger receives retries, throttles and token refreshes at Debug and
	// Info. Authorization headers and pre-authenticated URLs are never
	// logged. Default: discard.
	Logger *slog.Logger

	// Registerer receives the Prometheus collectors (sg365_graph_*).
	// Default: none; Client.Stats still counts.
	Registerer prometheus.Registerer

	// UserAgent identifies us; SharePoint deprioritises undecorated
	// traffic. Default "NONISV|SafeGuard365|sg365".
	UserAgent string

	// MaxAttempts caps the attempts of one call, the first included. A
	// 401 answered by one token refresh is not counted. Default 10: at a
	// 30 % failure rate, ten straight failures happen about once in 170,000
	// calls.
	MaxAttempts int

	// MaxRetryWait is the total time one call may spend waiting before
	// retries. A Retry-After longer than what is left is not waited for:
	// the call returns the *APIError with RetryAfter set. Default 15m, so
	// that a call can outwait Outlook's 10-minute request window.
	MaxRetryWait time.Duration

	// RetryBaseDelay and RetryMaxDelay bound the exponential backoff used
	// when the server sends no Retry-After. Defaults 500ms and 30s.
	RetryBaseDelay time.Duration
	RetryMaxDelay  time.Duration

	// MailboxConcurrency is the number of concurrent requests per mailbox.
	// Default 4, Outlook's documented per-(app, mailbox) limit
	// (https://learn.microsoft.com/en-us/graph/throttling-limits#outlook-service-limits).
	MailboxConcurrency int

	// DriveConcurrency is the number of concurrent requests (downloads
	// included) per drive. SharePoint limits by resource units, not
	// concurrency, so this only bounds sockets and memory. Default 8.
	DriveConcurrency int

	// MaxInFlight caps the concurrent requests of the Client; a response
	// body the caller has not yet closed counts. Default 64.
	MaxInFlight int

	// RateDecrease is the factor an adaptive rate is multiplied by on a
	// throttle; RateRecovery is how much it then grows per second of
	// demand-limited operation, as a fraction of the rate before the cut;
	// MinRate is the floor in requests per second. Defaults 0.9, 0.01 and
	// 0.2. Against the server models in TestGovernorHammeredMailbox (one
	// mailbox, 16 callers, sliding-window and token-bucket limits) these
	// hold 94-100 % of the limit with under 1 % of requests throttled;
	// halving instead, as TCP does, held only 78-84 %.
	RateDecrease float64
	RateRecovery float64
	MinRate      float64

	// TokenRefreshAhead is how long before expiry a token is replaced.
	// Default 5m (capped at half the token's lifetime).
	TokenRefreshAhead time.Duration

	// MaxResumes caps how often one download or upload resumes after a
	// dropped connection or failed fragment. Default 5.
	MaxResumes int

	// UploadFragmentSize is the size of upload-session fragments, rounded
	// down to a multiple of 320 KiB and kept under 60 MiB as
	// driveitem-createuploadsession requires. Default 10 MiB (32 × 320 KiB).
	// Memory use of an upload is one fragment.
	UploadFragmentSize int64

	// DisableImmutableIDs stops sending Prefer: IdType="ImmutableId" on
	// Outlook requests. Immutable ids survive moves between folders, which
	// incremental backups rely on, so they are on by default.
	DisableImmutableIDs bool

	// Now is the clock for token expiry and HTTP-date Retry-After values.
	// Default time.Now.
	Now func() time.Time
}

func (o Options) withDefaults() Options {
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	if o.UserAgent == "" {
		o.UserAgent = "NONISV|SafeGuard365|sg365"
	}
	if o.MaxAttempts <= 0 {
		o.MaxAttempts = 10
	}
	if o.MaxRetryWait <= 0 {
		o.MaxRetryWait = 15 * time.Minute
	}
	if o.RetryBaseDelay <= 0 {
		o.RetryBaseDelay = 500 * time.Millisecond
	}
	if o.RetryMaxDelay <= 0 {
		o.RetryMaxDelay = 30 * time.Second
	}
	if o.MailboxConcurrency <= 0 {
		o.MailboxConcurrency = 4
	}
	if o.DriveConcurrency <= 0 {
		o.DriveConcurrency = 8
	}
	if o.MaxInFlight <= 0 {
		o.MaxInFlight = 64
	}
	if o.RateDecrease <= 0 || o.RateDecrease >= 1 {
		o.RateDecrease = 0.9
	}
	if o.RateRecovery <= 0 {
		o.RateRecovery = 0.01
	}
	if o.MinRate <= 0 {
		o.MinRate = 0.2
	}
	if o.TokenRefreshAhead <= 0 {
		o.TokenRefreshAhead = 5 * time.Minute
	}
	if o.MaxResumes <= 0 {
		o.MaxResumes = 5
	}
	o.UploadFragmentSize = fragmentSize(o.UploadFragmentSize, maxDriveFragment)
	if o.Now == nil {
		o.Now = time.Now
	}
	return o
}
