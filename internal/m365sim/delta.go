package m365sim

import (
	"net/http"
	"net/url"

	"github.com/safeguard365/safeguard365/internal/m365sim/odata"

	"github.com/safeguard365/safeguard365/internal/m365sim/tenant"
)

// deltaStyle selects the service-specific details of a delta feed.
type deltaStyle int

const (
	deltaDirectory deltaStyle = iota // users, groups
	deltaOutlook                     // messages, folders, events, contacts
	deltaDrive                       // driveItems (token= instead of $deltatoken)
)

// deltaCursor is where a delta request resumes: the decoded token, and
// whether the request continues a round ($skiptoken) or starts one.
type deltaCursor struct {
	tok    pageToken
	latest bool // $deltatoken=latest / token=latest: only a new link
}

// readDeltaCursor decodes $skiptoken / $deltatoken / token from the query.
// It writes 400 and returns false for a token it cannot read.
func readDeltaCursor(w http.ResponseWriter, r *http.Request, style deltaStyle) (deltaCursor, bool) {
	q := r.URL.Query()
	var c deltaCursor
	raw := ""
	switch {
	case style != deltaDrive && q.Get("$skiptoken") != "":
		raw = q.Get("$skiptoken")
	case q.Get("$deltatoken") != "":
		raw = q.Get("$deltatoken")
	case style == deltaDrive && q.Get("token") != "":
		raw = q.Get("token")
	default:
		c.tok.Initial = true
		return c, true
	}
	if raw == "latest" {
		c.latest = true
		return c, true
	}
	t, ok := decodeToken(raw)
	if !ok {
		badRequest(w, r, "BadRequest", "The delta token is malformed.")
		return c, false
	}
	c.tok = t
	return c, true
}

// startDelta checks a delta request's query options against rules and
// reads its cursor. The $select of a round's first request is kept in the
// token, as Graph encodes query options into its delta tokens. It writes
// the 400 itself and returns false then.
func startDelta(w http.ResponseWriter, r *http.Request, rules odata.Rules, style deltaStyle) (*odata.Query, deltaCursor, bool) {
	q := parseQuery(w, r, rules)
	if q == nil {
		return nil, deltaCursor{}, false
	}
	c, ok := readDeltaCursor(w, r, style)
	if !ok {
		return nil, deltaCursor{}, false
	}
	if c.tok.Initial && len(q.Select) > 0 {
		c.tok.Select = joinSelect(q.Select)
	}
	return q, c, true
}

// outlookPageSize is the page size of an Outlook delta request:
// Prefer: odata.maxpagesize, else 10 (Outlook's list default; Graph does
// not document the delta default).
func outlookPageSize(w http.ResponseWriter, r *http.Request) int {
	if n := maxPageSize(w, r); n > 0 {
		return n
	}
	return 10
}

// deltaPage is one computed page of a delta round.
type deltaPage struct {
	entries []tenant.Entry
	next    *pageToken // set when the round continues
	link    *pageToken // set on the round's last page
}

// computeDelta reads one page from log. Hold the tenant's lock. A new round
// (from a delta link or the first call) fixes its upper bound at the current
// sequence, so changes made during the round show up in the next one.
func computeDelta(log *tenant.ChangeLog, c deltaCursor, seq int64, size int) (deltaPage, bool) {
	if c.latest {
		return deltaPage{link: &pageToken{After: seq}}, true
	}
	t := c.tok
	if !t.Initial && !log.Valid(t.After) {
		return deltaPage{}, false
	}
	if t.Upto == 0 {
		t.Upto = seq
	}
	entries, more := log.Since(t.After, t.Upto, size, !t.Initial)
	if more {
		n := t
		n.After = entries[len(entries)-1].Seq
		return deltaPage{entries: entries, next: &n}, true
	}
	return deltaPage{entries: entries, link: &pageToken{After: t.Upto, Select: t.Select, Extra: t.Extra}}, true
}

// writeDelta writes a delta page. path is the resource path (without
// version) the links point at; query holds options to carry in links.
func writeDelta(w http.ResponseWriter, r *http.Request, style deltaStyle, path string, query url.Values, ctx string, page deltaPage, items []map[string]any) {
	extra := map[string]any{}
	q := cloneValues(query)
	tokenParam := "$deltatoken"
	if style == deltaDrive {
		tokenParam = "token"
	}
	switch {
	case page.next != nil:
		// OneDrive pages with the same token parameter as its delta links;
		// the other services use $skiptoken within a round.
		// https://learn.microsoft.com/en-us/graph/api/driveitem-delta
		if style == deltaDrive {
			q.Set(tokenParam, page.next.encode())
		} else {
			q.Set("$skiptoken", page.next.encode())
		}
		extra["@odata.nextLink"] = selfLink(r, path, q)
	case page.link != nil:
		q.Set(tokenParam, page.link.encode())
		extra["@odata.deltaLink"] = selfLink(r, path, q)
	}
	collection(w, r, ctx, items, extra)
}

// deltaGone answers an expired or evicted delta token with 410 Gone, the
// service's resync code, and a Location to restart from.
// https://learn.microsoft.com/en-us/graph/delta-query-overview
func deltaGone(w http.ResponseWriter, r *http.Request, style deltaStyle, restart string) {
	w.Header().Set("Location", restart)
	switch style {
	case deltaOutlook:
		graphError(w, r, http.StatusGone, "SyncStateNotFound", "The sync state generation is not found. The delta token is expired and data must be synchronized again.")
	case deltaDrive:
		body := errorBody(w, r, "resyncRequired", "Resync required. Replace any local items with the server's version (including deletes) if you're sure that the service was up to date with your local changes when you last sync'd. Upload any local changes that the server doesn't know about.")
		body["error"].(map[string]any)["innerError"].(map[string]any)["code"] = "resyncChangesApplyDifferences"
		writeJSON(w, http.StatusGone, body)
	default:
		graphError(w, r, http.StatusGone, "syncStateNotFound", "The sync state generation is not found. The delta token is expired and data must be synchronized again.")
	}
}

// removed renders an @removed entry.
func removed(odataType, id, reason string) map[string]any {
	return map[string]any{"@odata.type": odataType, "id": id, "@removed": map[string]any{"reason": reason}}
}
