package m365sim

import (
	"errors"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/safeguard365/safeguard365/internal/m365sim/odata"
	"github.com/safeguard365/safeguard365/internal/m365sim/tenant"
)

// parseQuery parses and checks the request's query options against rules,
// writing Graph's 400 and returning nil when they are not acceptable.
func parseQuery(w http.ResponseWriter, r *http.Request, rules odata.Rules) *odata.Query {
	// ParseRawQuery, not URL.Query: Go drops pairs holding ';', which
	// nested options such as $expand=x($select=a;$top=5) contain.
	q, err := odata.ParseRawQuery(r.URL.RawQuery)
	if err == nil {
		err = q.Check(rules, eventual(r))
	}
	if err != nil {
		var oe *odata.Error
		if errors.As(err, &oe) {
			graphError(w, r, oe.Status, oe.Code, oe.Message)
		} else {
			badRequest(w, r, "BadRequest", err.Error())
		}
		return nil
	}
	return q
}

func eventual(r *http.Request) bool {
	return strings.EqualFold(r.Header.Get("ConsistencyLevel"), "eventual")
}

// advancedQuery reports whether a directory request carries both parts of
// an advanced query: ConsistencyLevel: eventual and $count=true.
func advancedQuery(r *http.Request, q *odata.Query) bool {
	return strings.EqualFold(r.Header.Get("ConsistencyLevel"), "eventual") && q.Count
}

// maxPageSize returns the page size a Prefer: odata.maxpagesize header asks
// for, or 0, and echoes it in Preference-Applied as Outlook does.
func maxPageSize(w http.ResponseWriter, r *http.Request) int {
	for _, pref := range r.Header.Values("Prefer") {
		for _, part := range strings.Split(pref, ",") {
			k, v, ok := strings.Cut(strings.TrimSpace(part), "=")
			if !ok || !strings.EqualFold(k, "odata.maxpagesize") {
				continue
			}
			n, err := strconv.Atoi(strings.Trim(v, `"`))
			if err == nil && n > 0 {
				w.Header().Add("Preference-Applied", "odata.maxpagesize="+strconv.Itoa(n))
				return n
			}
		}
	}
	return 0
}

// listOpts tunes writePage for one resource.
type listOpts struct {
	context   string        // @odata.context fragment
	keep      []string      // properties $select always keeps
	countAny  bool          // $count=true works without ConsistencyLevel (Outlook)
	preferMax bool          // honour Prefer: odata.maxpagesize
	blobs     []tenant.Blob // content streamed for blobMarker values (attachments)
}

// writePage filters, sorts, counts, pages and projects items and writes one
// page with an absolute @odata.nextLink when more remain.
func writePage(w http.ResponseWriter, r *http.Request, q *odata.Query, rules odata.Rules, items []map[string]any, o listOpts) {
	if q.Filter != nil {
		kept := items[:0:0]
		for _, it := range items {
			ok, err := q.Filter.Eval(it)
			if err != nil {
				var oe *odata.Error
				if errors.As(err, &oe) {
					graphError(w, r, oe.Status, oe.Code, oe.Message)
				} else {
					badRequest(w, r, "BadRequest", err.Error())
				}
				return
			}
			if ok {
				kept = append(kept, it)
			}
		}
		items = kept
	}
	if len(q.OrderBy) > 0 {
		odata.Sort(items, q.OrderBy)
	}
	size := rules.DefaultTop
	if q.Top > 0 {
		size = q.Top
	}
	if o.preferMax {
		if n := maxPageSize(w, r); n > 0 && q.Top == 0 {
			size = n
		}
	}
	if size <= 0 {
		size = 100
	}
	offset := 0
	if q.SkipToken != "" {
		t, ok := decodeToken(q.SkipToken)
		if !ok {
			badRequest(w, r, "BadRequest", "The $skiptoken value is invalid.")
			return
		}
		offset = t.Offset
	} else if q.Skip > 0 {
		offset = q.Skip
	}
	extra := map[string]any{}
	if q.Count && q.SkipToken == "" && (o.countAny || advancedQuery(r, q)) {
		extra["@odata.count"] = len(items)
	}
	end := min(offset+size, len(items))
	page := items[min(offset, len(items)):end]
	out := make([]map[string]any, len(page))
	for i, it := range page {
		out[i] = odata.Project(it, q.Select, o.keep...)
	}
	if end < len(items) {
		next := cloneValues(r.URL.Query())
		next.Del("$skip")
		next.Set("$skiptoken", pageToken{Offset: end}.encode())
		extra["@odata.nextLink"] = selfLink(r, r.URL.Path, next)
	}
	collection(w, r, o.context, out, extra, o.blobs...)
}

func cloneValues(v url.Values) url.Values {
	out := make(url.Values, len(v))
	for k, vs := range v {
		out[k] = append([]string(nil), vs...)
	}
	return out
}
