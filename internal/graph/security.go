package graph

import (
	"context"
	"encoding/json"
	"iter"
	"net/url"
	"strconv"
)

// SecurityAlerts lists Graph security alerts (alerts_v2) matching filter
// (an OData expression, "" for all), as Graph returned them.
// Needs SecurityAlert.Read.All.
// https://learn.microsoft.com/en-us/graph/api/security-list-alerts_v2
func (c *Client) SecurityAlerts(ctx context.Context, filter string) iter.Seq2[json.RawMessage, error] {
	q := url.Values{}
	if filter != "" {
		q.Set("$filter", filter)
	}
	return List[json.RawMessage](ctx, c, "/security/alerts_v2", WithQuery(q), WithOp("list security alerts"))
}

// SecureScores lists the tenant's daily Secure Scores, newest first; top
// limits how many are asked for (0: Graph's default). Only the first page
// is read when top is set. Needs SecurityEvents.Read.All.
// https://learn.microsoft.com/en-us/graph/api/security-list-securescores
func (c *Client) SecureScores(ctx context.Context, top int) iter.Seq2[json.RawMessage, error] {
	req := Request{Path: "/security/secureScores", Op: "list secure scores"}
	if top > 0 {
		req.Query = url.Values{"$top": {strconv.Itoa(top)}}
	}
	return func(yield func(json.RawMessage, error) bool) {
		for p, err := range c.pages(ctx, req) {
			if err != nil {
				yield(nil, err)
				return
			}
			for _, raw := range p.Value {
				if !yield(raw, nil) {
					return
				}
			}
			if top > 0 {
				return
			}
		}
	}
}

// SecureScoreControlProfiles lists the Secure Score controls. Needs
// SecurityEvents.Read.All.
// https://learn.microsoft.com/en-us/graph/api/security-list-securescorecontrolprofiles
func (c *Client) SecureScoreControlProfiles(ctx context.Context) iter.Seq2[json.RawMessage, error] {
	return List[json.RawMessage](ctx, c, "/security/secureScoreControlProfiles", WithOp("list secure score control profiles"))
}
