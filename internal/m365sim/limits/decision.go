package limits

import (
	"math"
	"net/http"
	"strconv"
	"time"
)

// Graph error codes and messages this package sends. Graph documents the
// codes (https://learn.microsoft.com/en-us/graph/errors) but not every
// message; see doc.go for which texts are observed and which are ours.
const (
	CodeTooManyRequests      = "TooManyRequests"
	CodeApplicationThrottled = "ApplicationThrottled"
	CodeActivityLimitReached = "activityLimitReached"
	CodeThrottledRequest     = "throttledRequest" // inner code for SharePoint
	CodeServiceNotAvailable  = "serviceNotAvailable"
	CodeGatewayTimeout       = "gatewayTimeout"
	CodeGeneralException     = "generalException"

	msgTooManyRequests     = "Please retry again later."
	msgMailboxConcurrency  = "Application is over its MailboxConcurrency limit."
	msgMailboxRequestRate  = "Application is over its MailboxRequestRate limit."
	msgMailboxUploadRate   = "Application is over its MailboxUploadRate limit."
	msgSharePointThrottled = "The request has been throttled"
)

// Header names the engine sets. Go canonicalises them on the wire
// ("X-Ms-Resource-Unit"); HTTP header names are case-insensitive.
const (
	HeaderRetryAfter            = "Retry-After"
	HeaderResourceUnit          = "x-ms-resource-unit"
	HeaderThrottleLimitPercent  = "x-ms-throttle-limit-percentage"
	HeaderThrottleScope         = "x-ms-throttle-scope"
	HeaderThrottleInformation   = "x-ms-throttle-information"
	HeaderRateLimitLimit        = "RateLimit-Limit"
	HeaderRateLimitRemaining    = "RateLimit-Remaining"
	HeaderRateLimitReset        = "RateLimit-Reset"
	identityThrottleRUExceeded  = "ResourceUnitLimitExceeded"
	identityThrottleWriteExceed = "WriteLimitExceeded"
)

// Class is the Graph service family a request is metered by. The emulator's
// handlers classify each request; the zero value and unknown values are
// treated as ClassOther, which only the global limit applies to.
type Class string

// The classes the engine meters.
const (
	ClassOther      Class = "other"
	ClassOutlook    Class = "outlook"    // mail, calendar, contacts
	ClassSharePoint Class = "sharepoint" // OneDrive, SharePoint files and lists
	ClassIdentity   Class = "identity"   // users, groups, applications, directory
)

// Request describes one Graph request (or one $batch sub-request) to Admit.
type Request struct {
	App    string // client (application) id
	Tenant string // tenant id
	Class  Class
	// Resource is the mailbox for ClassOutlook. Other classes ignore it.
	Resource string
	// RU is the resource-unit cost for ClassSharePoint and ClassIdentity,
	// computed by the caller from the documented cost tables; below 1
	// counts as 1.
	RU int
	// UploadBytes is the request body size; it is charged to the Outlook
	// upload budget when Write is set.
	UploadBytes int64
	// Write marks POST, PATCH, PUT and DELETE.
	Write bool
	// TenantUsers is the tenant's user count, which picks the identity
	// budget (Small below 50, Medium up to 500, Large above).
	TenantUsers int
}

// Decision is a rejection: the status, Graph error code and message for the
// body, and the headers (Retry-After first of all) to send. The caller writes
// the body as {"error":{"code":Code,"message":Message,"innerError":{…}}},
// adding {"code":InnerCode} inside innerError when InnerCode is set.
type Decision struct {
	Status     int
	Code       string
	Message    string
	InnerCode  string
	RetryAfter time.Duration // the wait in real (already scaled) time
	Header     http.Header
	// Limit names the limit that rejected, as in Engine.Throttles; empty for
	// injected faults.
	Limit string
}

// retryAfterValue formats d for a Retry-After header: whole seconds rounded
// up with a minimum of 1, or, when fractional, seconds with three decimals
// rounded up to the millisecond with a minimum of 0.001.
func retryAfterValue(d time.Duration, fractional bool) string {
	if fractional {
		ms := int64(math.Ceil(float64(d) / float64(time.Millisecond)))
		ms = max(ms, 1)
		return strconv.FormatFloat(float64(ms)/1000, 'f', 3, 64)
	}
	s := int64(math.Ceil(d.Seconds()))
	return strconv.FormatInt(max(s, 1), 10)
}

// statusDecision builds the Decision for an injected or scripted status.
func statusDecision(status int, retryAfter time.Duration, fractional bool) *Decision {
	d := &Decision{Status: status, Header: make(http.Header, 1)}
	d.Code, d.Message = statusCode(status)
	if status == http.StatusTooManyRequests || status == http.StatusServiceUnavailable ||
		status == http.StatusGatewayTimeout {
		d.RetryAfter = retryAfter
		d.Header.Set(HeaderRetryAfter, retryAfterValue(retryAfter, fractional))
	}
	return d
}

// statusCode maps a status to a Graph error code from errors.md and a message
// in our own words. gatewayTimeout is not in errors.md's list; it follows the
// same naming for the 504 that the page says may accompany a 503.
func statusCode(status int) (code, message string) {
	switch status {
	case http.StatusBadRequest:
		return "invalidRequest", "The request is malformed or incorrect."
	case http.StatusUnauthorized:
		return "unauthenticated", "The caller is not authenticated."
	case http.StatusForbidden:
		return "accessDenied", "The caller doesn't have permission to perform the action."
	case http.StatusNotFound:
		return "itemNotFound", "The resource could not be found."
	case http.StatusConflict:
		return "nameAlreadyExists", "The specified item name already exists."
	case http.StatusTooManyRequests:
		return CodeTooManyRequests, msgTooManyRequests
	case http.StatusServiceUnavailable:
		return CodeServiceNotAvailable, "The service is temporarily unavailable. Retry after the delay in Retry-After."
	case http.StatusGatewayTimeout:
		return CodeGatewayTimeout, "The gateway timed out waiting for the service."
	case http.StatusInsufficientStorage:
		return "quotaLimitReached", "The storage quota has been reached."
	}
	return CodeGeneralException, "An unspecified error has occurred."
}
