package graph

import (
	"fmt"
	"log/slog"
	"math/rand/v2"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// Client calls Microsoft Graph for one tenant. Create it with New; the zero
// value is not usable. A Client is safe for concurrent use and should be
// shared by everything working on the tenant, because it owns the token
// cache, the retry budget and the tenant's throttle governor.
//
// Methods return an *APIError wrapping ErrNotFound, ErrForbidden,
// ErrUnauthorized, ErrThrottled, ErrResyncRequired, ErrBadRequest or
// ErrConflict when Graph reports those conditions. Callers close returned
// io.ReadClosers; an open body holds its mailbox or drive concurrency slot.
type Client struct {
	base   string // Graph base URL, no trailing slash, e.g. https://graph.microsoft.com/v1.0
	origin string // scheme://host of base: the only origin that gets a token
	hc     *http.Client
	tokens *tokenCache
	gov    *governor
	m      *metrics
	log    *slog.Logger
	opts   Options
	jitter func() float64 // uniform [0,1); seeded in tests
}

// New returns a Client for the tenant cfg describes. The credential is built
// from cfg (see NewCredential) unless opts.Credential is set, in which case
// only cfg's endpoints are used.
func New(cfg Config, opts Options) (*Client, error) {
	opts = opts.withDefaults()
	if opts.Credential == nil {
		if err := cfg.Validate(); err != nil {
			return nil, fmt.Errorf("graph: invalid config: %w", err)
		}
	} else if err := cfg.validateEndpoints(); err != nil {
		return nil, fmt.Errorf("graph: invalid config: %w", err)
	}
	_, base := cfg.endpoints()
	u, err := url.Parse(base)
	if err != nil {
		return nil, fmt.Errorf("graph: graph url: %w", err)
	}
	if opts.Transport == nil {
		opts.Transport = newTransport(cfg.CACerts, opts.MaxInFlight)
	}
	hc := &http.Client{
		Transport: opts.Transport,
		// Redirects are handled by the caller that expects them (content
		// downloads), so net/http never forwards a request, headers and
		// all, to another host.
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
	cred := opts.Credential
	if cred == nil {
		// azidentity gets its own http.Client: it may follow redirects on
		// the token endpoint, and it must share our transport (CA roots).
		cred, err = NewCredential(cfg, &http.Client{Transport: opts.Transport})
		if err != nil {
			return nil, err
		}
	}
	c := &Client{
		base:   base,
		origin: strings.ToLower(u.Scheme + "://" + u.Host),
		hc:     hc,
		tokens: newTokenCache(cred, cfg.scope(), opts.Now, opts.TokenRefreshAhead),
		gov: newGovernor(governorOptions{
			mailboxSlots: int64(opts.MailboxConcurrency),
			driveSlots:   int64(opts.DriveConcurrency),
			maxInFlight:  int64(opts.MaxInFlight),
			aimd:         aimdParams{decrease: opts.RateDecrease, recovery: opts.RateRecovery, min: opts.MinRate},
		}, time.Now),
		m:      newMetrics(opts.Registerer),
		log:    opts.Logger,
		opts:   opts,
		jitter: rand.Float64,
	}
	return c, nil
}

// BaseURL returns the Graph base URL requests are relative to.
func (c *Client) BaseURL() string { return c.base }

// Stats returns the Client's counters so far.
func (c *Client) Stats() Stats {
	return Stats{
		Requests:  c.m.nRequests.Load(),
		Retries:   c.m.nRetries.Load(),
		Throttled: c.m.nThrottled.Load(),
		Failed:    c.m.nFailed.Load(),
		BytesDown: c.m.nDown.Load(),
		BytesUp:   c.m.nUp.Load(),
		RetryWait: time.Duration(c.m.nWait.Load()),
		Rates:     c.gov.serviceRates(),
	}
}

// Rate returns the adaptive rate, in requests per second, that currently
// governs requests of class on resource (a mailbox for Outlook classes; the
// tenant-wide service otherwise). 0 means not limited.
func (c *Client) Rate(class Class, resource string) float64 {
	return c.gov.rate(class, resource)
}

// sameOrigin reports whether raw points at the Graph host, the only host a
// bearer token may be sent to.
func (c *Client) sameOrigin(raw string) bool {
	u, err := url.Parse(raw)
	if err != nil {
		return false
	}
	return strings.ToLower(u.Scheme+"://"+u.Host) == c.origin
}
