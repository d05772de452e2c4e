package userguard

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"iter"
	"net/http"
	"slices"
	"strings"

	"github.com/safeguard365/safeguard365/internal/audit"
	"github.com/safeguard365/safeguard365/internal/graph"
)

// Triage actions on Defender alerts and incidents, audited like the user
// response actions ("sg365 alerts comment", "sg365 incidents update|comment").
const (
	ActionCommentAlert    = "comment-alert"
	ActionUpdateIncident  = "update-incident"
	ActionCommentIncident = "comment-incident"
)

// Permissions of the triage calls, from their reference pages.
const (
	permAlertWrite    = "SecurityAlert.ReadWrite.All (Microsoft Graph)"
	permIncidentRead  = "SecurityIncident.Read.All"
	permIncidentWrite = "SecurityIncident.ReadWrite.All (Microsoft Graph)"
)

// ErrNoIncident is returned when no incident has the id given.
var ErrNoIncident = errors.New("no such incident")

// securityAPI is what the triage actions call through Graph.
type securityAPI interface {
	SecurityAlert(ctx context.Context, id string) (json.RawMessage, error)
	SecurityIncident(ctx context.Context, id string) (json.RawMessage, error)
	UpdateSecurityIncident(ctx context.Context, id string, patch map[string]any) (json.RawMessage, error)
	CommentSecurityAlert(ctx context.Context, id, text string) ([]graph.SecurityComment, error)
	CommentSecurityIncident(ctx context.Context, id, text string) ([]graph.SecurityComment, error)
	BaseURL() string
}

// Incident is a Defender incident: the fields the CLI shows and the JSON
// Graph returned.
type Incident struct {
	ID                 string                  `json:"id"`
	DisplayName        string                  `json:"displayName"`
	Severity           string                  `json:"severity"`
	Status             string                  `json:"status"`
	Classification     string                  `json:"classification,omitempty"`
	Determination      string                  `json:"determination,omitempty"`
	AssignedTo         string                  `json:"assignedTo,omitempty"`
	CustomTags         []string                `json:"customTags,omitempty"`
	CreatedDateTime    string                  `json:"createdDateTime"`
	LastUpdateDateTime string                  `json:"lastUpdateDateTime"`
	IncidentWebURL     string                  `json:"incidentWebUrl,omitempty"`
	Comments           []graph.SecurityComment `json:"comments,omitempty"`
	Alerts             []Alert                 `json:"alerts,omitempty"` // only when read with $expand=alerts
	Raw                json.RawMessage         `json:"raw,omitempty"`
}

// ParseIncident decodes an incident object, with its alerts if expanded.
func ParseIncident(raw json.RawMessage) (Incident, error) {
	var in struct {
		ID, DisplayName, Severity, Status, CreatedDateTime, LastUpdateDateTime string
		Classification, Determination, AssignedTo, IncidentWebURL              *string
		CustomTags                                                             []string
		Comments                                                               []graph.SecurityComment
		Alerts                                                                 []json.RawMessage
	}
	if err := json.Unmarshal(raw, &in); err != nil {
		return Incident{}, fmt.Errorf("incident: %w", err)
	}
	if in.ID == "" {
		return Incident{}, fmt.Errorf("incident without an id")
	}
	deref := func(p *string) string {
		if p == nil {
			return ""
		}
		return *p
	}
	inc := Incident{ID: in.ID, DisplayName: in.DisplayName, Severity: in.Severity, Status: in.Status,
		Classification: deref(in.Classification), Determination: deref(in.Determination), AssignedTo: deref(in.AssignedTo),
		CustomTags: in.CustomTags, CreatedDateTime: in.CreatedDateTime, LastUpdateDateTime: in.LastUpdateDateTime,
		IncidentWebURL: deref(in.IncidentWebURL), Comments: in.Comments, Raw: raw}
	for _, a := range in.Alerts {
		al, err := ParseAlert(a)
		if err != nil {
			return Incident{}, fmt.Errorf("incident %s: %w", in.ID, err)
		}
		inc.Alerts = append(inc.Alerts, al)
	}
	return inc, nil
}

// IncidentStatuses are the statuses an incident can be set to. Graph also
// reports redirected (the incident was merged into another) and
// awaitingAction (set only by Defender Experts); neither can be chosen.
// https://learn.microsoft.com/en-us/graph/api/resources/security-incident
var IncidentStatuses = []string{"active", "inProgress", "resolved"}

// IncidentUpdate is what "incidents update" changes; empty fields are left
// alone. Tags are added to the incident's customTags.
type IncidentUpdate struct {
	Status, Classification, Determination, AssignedTo string
	Tags                                              []string
}

// body returns the PATCH body, validating the enumerations. current are
// the incident's customTags: Graph replaces the whole collection, so the
// body carries them with Tags added.
func (u IncidentUpdate) body(current []string) (map[string]any, error) {
	body, err := workflowBody(IncidentStatuses, u.Status, u.Classification, u.Determination, u.AssignedTo)
	if err != nil {
		return nil, err
	}
	tags := slices.Clone(current)
	for _, t := range u.Tags {
		if t = strings.TrimSpace(t); t == "" {
			return nil, fmt.Errorf("empty tag")
		}
		if !slices.Contains(tags, t) {
			tags = append(tags, t)
		}
	}
	if len(tags) > len(current) {
		body["customTags"] = tags
	}
	if len(body) == 0 {
		if len(u.Tags) > 0 {
			return nil, fmt.Errorf("nothing to update: the incident already has tags %s", strings.Join(u.Tags, ", "))
		}
		return nil, fmt.Errorf("nothing to update: give a status, classification, determination, assignee or tag")
	}
	return body, nil
}

// Validate checks the update without reading the incident.
func (u IncidentUpdate) Validate() error {
	_, err := u.body(nil)
	return err
}

// CheckComment rejects a comment Graph would refuse.
func CheckComment(text string) error {
	if strings.TrimSpace(text) == "" {
		return fmt.Errorf("the comment is empty")
	}
	return nil
}

func commentBody(text string) map[string]any {
	return map[string]any{"@odata.type": "microsoft.graph.security.alertComment", "comment": text}
}

// PlanAlertComment reads alert id and returns the POST that adds comment.
func (r *Responder) PlanAlertComment(ctx context.Context, id, comment string) (*audit.Plan, error) {
	if err := CheckComment(comment); err != nil {
		return nil, err
	}
	g := r.Graph
	raw, err := g.SecurityAlert(ctx, id)
	switch {
	case errors.Is(err, graph.ErrNotFound):
		return nil, fmt.Errorf("%q: %w", id, ErrNoAlert)
	case err != nil:
		return nil, explain(err, "GET /security/alerts_v2")
	}
	a, err := ParseAlert(raw)
	if err != nil {
		return nil, err
	}
	return &audit.Plan{Action: ActionCommentAlert, Target: audit.Target{AlertID: a.ID, AlertTitle: a.Title},
		Method: http.MethodPost, URL: g.BaseURL() + graph.Pathf("/security/alerts_v2/%s/comments", a.ID),
		Body: commentBody(comment), Permission: permAlertWrite}, nil
}

// incidentGetter reads one incident; *graph.Client implements it.
type incidentGetter interface {
	SecurityIncident(ctx context.Context, id string) (json.RawMessage, error)
}

// incidentLister lists incidents; *graph.Client implements it.
type incidentLister interface {
	SecurityIncidents(ctx context.Context, filter string) iter.Seq2[json.RawMessage, error]
}

var _ incidentLister = (*graph.Client)(nil)

// explainIncidentRead adds the read permission to a 403.
func explainIncidentRead(err error) error {
	if errors.Is(err, graph.ErrForbidden) {
		return fmt.Errorf("%w (the app needs the Microsoft Graph application permission %s, with admin consent)", err, permIncidentRead)
	}
	return err
}

// GetIncident reads incident id from Graph with its alerts. It returns
// ErrNoIncident for an unknown id and names the permission on a 403.
func GetIncident(ctx context.Context, g incidentGetter, id string) (Incident, error) {
	raw, err := g.SecurityIncident(ctx, id)
	switch {
	case errors.Is(err, graph.ErrNotFound):
		return Incident{}, fmt.Errorf("%q: %w", id, ErrNoIncident)
	case err != nil:
		return Incident{}, fmt.Errorf("incident %s: %w", id, explainIncidentRead(err))
	}
	return ParseIncident(raw)
}

// ListIncidents reads the incidents matching filter ("" for all) from
// Graph, newest created first; a 403 names the permission. Incidents are
// not stored: Graph keeps them, and their alerts are in the alert store.
func ListIncidents(ctx context.Context, g incidentLister, filter string) ([]Incident, error) {
	var out []Incident
	for raw, err := range g.SecurityIncidents(ctx, filter) {
		if err != nil {
			return nil, fmt.Errorf("list incidents: %w", explainIncidentRead(err))
		}
		inc, err := ParseIncident(raw)
		if err != nil {
			return nil, err
		}
		out = append(out, inc)
	}
	// Graph documents no $orderby for incidents, so they are sorted here.
	slices.SortFunc(out, func(a, b Incident) int {
		if c := strings.Compare(b.CreatedDateTime, a.CreatedDateTime); c != 0 {
			return c
		}
		return strings.Compare(a.ID, b.ID)
	})
	return out, nil
}

// PlanIncidentUpdate reads incident id and returns the PATCH that applies
// upd.
func (r *Responder) PlanIncidentUpdate(ctx context.Context, id string, upd IncidentUpdate) (*audit.Plan, error) {
	if err := upd.Validate(); err != nil {
		return nil, err
	}
	g := r.Graph
	inc, err := GetIncident(ctx, g, id)
	if err != nil {
		return nil, err
	}
	body, err := upd.body(inc.CustomTags)
	if err != nil {
		return nil, err
	}
	return &audit.Plan{Action: ActionUpdateIncident, Target: audit.Target{IncidentID: inc.ID, IncidentName: inc.DisplayName},
		Method: http.MethodPatch, URL: g.BaseURL() + graph.Pathf("/security/incidents/%s", inc.ID), Body: body,
		Permission: permIncidentWrite}, nil
}

// PlanIncidentComment reads incident id and returns the POST that adds
// comment.
func (r *Responder) PlanIncidentComment(ctx context.Context, id, comment string) (*audit.Plan, error) {
	if err := CheckComment(comment); err != nil {
		return nil, err
	}
	g := r.Graph
	inc, err := GetIncident(ctx, g, id)
	if err != nil {
		return nil, err
	}
	return &audit.Plan{Action: ActionCommentIncident, Target: audit.Target{IncidentID: inc.ID, IncidentName: inc.DisplayName},
		Method: http.MethodPost, URL: g.BaseURL() + graph.Pathf("/security/incidents/%s/comments", inc.ID),
		Body: commentBody(comment), Permission: permIncidentWrite}, nil
}

// executeTriage sends a comment-alert, update-incident or comment-incident
// plan for Execute. For an alert comment the alert is read back so the
// caller can store it; a failed read-back does not fail the comment,
// which was posted.
func (r *Responder) executeTriage(ctx context.Context, p *audit.Plan) (audit.Outcome, json.RawMessage, error) {
	g := r.Graph
	var err error
	text, _ := p.Body["comment"].(string)
	var after json.RawMessage
	detail := ""
	switch p.Action {
	case ActionCommentAlert:
		var cs []graph.SecurityComment
		if cs, err = g.CommentSecurityAlert(ctx, p.Target.AlertID, text); err == nil {
			detail = commentDetail(cs)
			after, _ = g.SecurityAlert(ctx, p.Target.AlertID)
		}
	case ActionCommentIncident:
		var cs []graph.SecurityComment
		if cs, err = g.CommentSecurityIncident(ctx, p.Target.IncidentID, text); err == nil {
			detail = commentDetail(cs)
		}
	case ActionUpdateIncident:
		if after, err = g.UpdateSecurityIncident(ctx, p.Target.IncidentID, p.Body); err == nil {
			if inc, perr := ParseIncident(after); perr == nil {
				detail = fmt.Sprintf("status %s, classification %s, determination %s, assigned to %s, tags %s",
					inc.Status, orDash(inc.Classification), orDash(inc.Determination), orDash(inc.AssignedTo),
					orDash(strings.Join(inc.CustomTags, ",")))
			}
		}
	default:
		return audit.Outcome{Result: "failed"}, nil, fmt.Errorf("unknown triage action %q", p.Action)
	}
	if err != nil {
		return audit.Outcome{Result: "failed"}, nil, actionError(p, err)
	}
	return audit.Outcome{Result: "succeeded", Detail: detail}, after, nil
}

// commentDetail describes the collection Graph answered a comment with.
func commentDetail(cs []graph.SecurityComment) string {
	if len(cs) == 0 {
		return "comment posted"
	}
	last := cs[len(cs)-1]
	return fmt.Sprintf("comment posted by %s at %s (%d in all)", orDash(last.CreatedByDisplayName), last.CreatedDateTime, len(cs))
}
