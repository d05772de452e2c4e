package graph

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"
)

// ListOptions are the OData query options of a collection listing. The zero
// value lists everything with Graph's default page size.
type ListOptions struct {
	Select  []string // $select: fewer bytes, and cheaper in identity RU
	Filter  string   // $filter
	Search  string   // $search; sends ConsistencyLevel: eventual
	OrderBy string   // $orderby
	Expand  string   // $expand
	Top     int      // $top: page size, not a total
	// Count asks for @odata.count on the first page. On directory objects
	// it turns on advanced queries, which need ConsistencyLevel: eventual;
	// that header is set and resent on every page.
	Count bool
}

func (o *ListOptions) apply(r *Request) {
	if o == nil {
		return
	}
	q := url.Values{}
	if len(o.Select) > 0 {
		q.Set("$select", strings.Join(o.Select, ","))
	}
	if o.Filter != "" {
		q.Set("$filter", o.Filter)
	}
	if o.Search != "" {
		q.Set("$search", o.Search)
	}
	if o.OrderBy != "" {
		q.Set("$orderby", o.OrderBy)
	}
	if o.Expand != "" {
		q.Set("$expand", o.Expand)
	}
	if o.Top > 0 {
		q.Set("$top", strconv.Itoa(o.Top))
	}
	if o.Count {
		q.Set("$count", "true")
	}
	WithQuery(q)(r)
	if o.Count || o.Search != "" {
		WithHeader("ConsistencyLevel", "eventual")(r)
	}
}

// GetOptions are the query options of a single-item GET.
type GetOptions struct {
	Select []string
	Expand string
}

func (o *GetOptions) apply(r *Request) {
	if o == nil {
		return
	}
	q := url.Values{}
	if len(o.Select) > 0 {
		q.Set("$select", strings.Join(o.Select, ","))
	}
	if o.Expand != "" {
		q.Set("$expand", o.Expand)
	}
	WithQuery(q)(r)
}

// DeltaOptions shape the first round of an Outlook delta query; later rounds
// follow the deltaLink, which carries them.
type DeltaOptions struct {
	Select []string
	// PageSize asks for at most this many items per page with
	// Prefer: odata.maxpagesize (delta queries ignore $top).
	PageSize int
	// Filter is a $filter the resource's delta supports, e.g. for messages
	// "receivedDateTime ge 2024-01-01T00:00:00Z".
	Filter string
	// ChangeType limits messages delta to "created", "updated" or "deleted".
	ChangeType string
}

func (o *DeltaOptions) apply(r *Request, firstRound bool) {
	if o == nil {
		return
	}
	o.applyPrefer(r)
	if !firstRound {
		return // query options are encoded in the deltaLink
	}
	q := url.Values{}
	if len(o.Select) > 0 {
		q.Set("$select", strings.Join(o.Select, ","))
	}
	if o.Filter != "" {
		q.Set("$filter", o.Filter)
	}
	if o.ChangeType != "" {
		q.Set("changeType", o.ChangeType)
	}
	WithQuery(q)(r)
}

// applyPrefer sets Prefer: odata.maxpagesize, which every page request of
// a round carries.
func (o DeltaOptions) applyPrefer(r *Request) {
	if o.PageSize > 0 {
		addPrefer(headerOf(r), "odata.maxpagesize="+strconv.Itoa(o.PageSize))
	}
}

func headerOf(r *Request) http.Header {
	if r.Header == nil {
		r.Header = http.Header{}
	}
	return r.Header
}
