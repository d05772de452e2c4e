package graph

import (
	"context"
	"encoding/json"
	"fmt"
	"iter"
	"net/http"
	"net/url"
	"strings"
)

// Microsoft Defender incidents and the comments of alerts and incidents.
// Incidents, like alerts, are handed out as Graph returned them.

// SecurityIncidents lists Defender incidents matching filter (an OData
// expression, "" for all), as Graph returned them, without their alerts.
// Graph pages incidents 50 at a time at most. Needs
// SecurityIncident.Read.All.
// https://learn.microsoft.com/en-us/graph/api/security-list-incidents
func (c *Client) SecurityIncidents(ctx context.Context, filter string) iter.Seq2[json.RawMessage, error] {
	q := url.Values{}
	if filter != "" {
		q.Set("$filter", filter)
	}
	return List[json.RawMessage](ctx, c, "/security/incidents", WithQuery(q), WithOp("list security incidents"))
}

// SecurityIncident returns one incident as Graph returned it, with its
// alerts ($expand=alerts, the incident's only relationship). Needs
// SecurityIncident.Read.All.
// https://learn.microsoft.com/en-us/graph/api/security-incident-get
func (c *Client) SecurityIncident(ctx context.Context, id string) (json.RawMessage, error) {
	var raw json.RawMessage
	err := c.Get(ctx, Pathf("/security/incidents/%s", id), &raw,
		WithQuery(url.Values{"$expand": {"alerts"}}), WithOp("get security incident"))
	return raw, err
}

// UpdateSecurityIncident patches an incident's status, classification,
// determination, assignedTo or customTags and returns the updated
// incident. Needs SecurityIncident.ReadWrite.All. Setting the same values
// twice is harmless, so the PATCH may be retried.
// https://learn.microsoft.com/en-us/graph/api/security-incident-update
func (c *Client) UpdateSecurityIncident(ctx context.Context, id string, patch map[string]any) (json.RawMessage, error) {
	var raw json.RawMessage
	err := c.Send(ctx, http.MethodPatch, Pathf("/security/incidents/%s", id), patch, &raw,
		WithOp("update security incident"), WithRetrySafe())
	return raw, err
}

// SecurityComment is an alertComment: a note on an alert or an incident.
// https://learn.microsoft.com/en-us/graph/api/resources/security-alertcomment
type SecurityComment struct {
	Comment              string `json:"comment"`
	CreatedByDisplayName string `json:"createdByDisplayName"` // the person or app that wrote it
	CreatedDateTime      string `json:"createdDateTime"`      // RFC 3339
}

// CommentSecurityAlert adds a comment to an alert (alerts_v2) and returns
// all of the alert's comments, as Graph answers. Needs
// SecurityAlert.ReadWrite.All.
// https://learn.microsoft.com/en-us/graph/api/security-alert-post-comments
func (c *Client) CommentSecurityAlert(ctx context.Context, id, text string) ([]SecurityComment, error) {
	return c.postComment(ctx, Pathf("/security/alerts_v2/%s/comments", id), text, "comment on security alert")
}

// CommentSecurityIncident adds a comment to an incident and returns all of
// the incident's comments. Needs SecurityIncident.ReadWrite.All.
// https://learn.microsoft.com/en-us/graph/api/security-incident-post-comments
func (c *Client) CommentSecurityIncident(ctx context.Context, id, text string) ([]SecurityComment, error) {
	return c.postComment(ctx, Pathf("/security/incidents/%s/comments", id), text, "comment on security incident")
}

// postComment sends an alertComment. It is not marked retry-safe: each
// POST appends a comment, so a repeat after a lost answer would post it
// twice.
func (c *Client) postComment(ctx context.Context, path, text, op string) ([]SecurityComment, error) {
	if strings.TrimSpace(text) == "" {
		return nil, fmt.Errorf("graph: %s: the comment is empty", op)
	}
	body := map[string]any{"@odata.type": "microsoft.graph.security.alertComment", "comment": text}
	var out struct {
		Value []SecurityComment `json:"value"`
	}
	if err := c.Send(ctx, http.MethodPost, path, body, &out, WithOp(op)); err != nil {
		return nil, err
	}
	return out.Value, nil
}
