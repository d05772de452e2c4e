package userguard

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strings"

	"github.com/safeguard365/safeguard365/internal/audit"
	"github.com/safeguard365/safeguard365/internal/graph"
)

// User response action names, as "sg365 respond user ACTION" spells them.
const (
	ActionRevokeSessions     = "revoke-sessions"
	ActionDisable            = "disable"
	ActionEnable             = "enable"
	ActionConfirmCompromised = "confirm-compromised"
	ActionDismissRisk        = "dismiss-risk"
	// ActionUpdateAlert is "sg365 alerts update": audited like the others.
	ActionUpdateAlert = "update-alert"
)

// UserActions lists the user response actions in help order.
func UserActions() []string {
	return []string{ActionRevokeSessions, ActionDisable, ActionEnable, ActionConfirmCompromised, ActionDismissRisk}
}

// userAPI is what the responder calls through Graph; *graph.Client
// implements it.
type userAPI interface {
	identityAccountAPI // respond_onprem.go
	securityAPI        // incidents.go
	User(ctx context.Context, user string, opts *graph.GetOptions) (*graph.User, error)
	RevokeSignInSessions(ctx context.Context, user string) error
	SetAccountEnabled(ctx context.Context, user string, enabled bool) error
	ConfirmCompromised(ctx context.Context, userIDs ...string) error
	DismissUserRisk(ctx context.Context, userIDs ...string) error
	UpdateSecurityAlert(ctx context.Context, id string, patch map[string]any) (json.RawMessage, error)
}

var _ userAPI = (*graph.Client)(nil)

// Responder plans and runs user response actions and alert updates. Plan
// only reads; Execute sends the planned call.
type Responder struct {
	Graph userAPI
}

// ErrNoUser is returned when no user matches the UPN or id given.
var ErrNoUser = errors.New("no such user")

// ErrNoAlert is returned when no alert has the id given.
var ErrNoAlert = errors.New("no such alert")

// PlanUser resolves user (a UPN or object id) and returns the call action
// would make.
func (r *Responder) PlanUser(ctx context.Context, action, user string) (*audit.Plan, error) {
	if !slices.Contains(UserActions(), action) {
		return nil, fmt.Errorf("unknown action %q (want %s)", action, strings.Join(UserActions(), ", "))
	}
	u, err := r.Graph.User(ctx, user, &graph.GetOptions{Select: []string{"id", "userPrincipalName", "displayName", "accountEnabled"}})
	switch {
	case errors.Is(err, graph.ErrNotFound):
		return nil, fmt.Errorf("%q: %w", user, ErrNoUser)
	case err != nil:
		return nil, explain(err, "GET /users")
	}
	p := &audit.Plan{Action: action, Target: audit.Target{UserID: u.ID, UserPrincipalName: u.UserPrincipalName}}
	base := r.Graph.BaseURL()
	switch action {
	case ActionRevokeSessions:
		p.Method, p.URL = http.MethodPost, base+graph.Pathf("/users/%s/revokeSignInSessions", u.ID)
		p.Permission = "User.RevokeSessions.All (Microsoft Graph)"
	case ActionDisable, ActionEnable:
		p.Method, p.URL = http.MethodPatch, base+graph.Pathf("/users/%s", u.ID)
		p.Body = map[string]any{"accountEnabled": action == ActionEnable}
		p.Permission = "User.EnableDisableAccount.All (Microsoft Graph)"
	case ActionConfirmCompromised, ActionDismissRisk:
		verb := "confirmCompromised"
		if action == ActionDismissRisk {
			verb = "dismiss"
		}
		p.Method, p.URL = http.MethodPost, base+"/identityProtection/riskyUsers/"+verb
		p.Body = map[string]any{"userIds": []string{u.ID}}
		p.Permission = "IdentityRiskyUser.ReadWrite.All (Microsoft Graph; Entra ID P2)"
	}
	return p, nil
}

// PlanAlertUpdate reads alert id and returns the PATCH that applies upd.
func (r *Responder) PlanAlertUpdate(ctx context.Context, id string, upd AlertUpdate) (*audit.Plan, error) {
	body, err := upd.Body()
	if err != nil {
		return nil, err
	}
	raw, err := r.Graph.SecurityAlert(ctx, id)
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
	return &audit.Plan{Action: ActionUpdateAlert, Target: audit.Target{AlertID: a.ID, AlertTitle: a.Title},
		Method: http.MethodPatch, URL: r.Graph.BaseURL() + graph.Pathf("/security/alerts_v2/%s", a.ID), Body: body,
		Permission: "SecurityAlert.ReadWrite.All (Microsoft Graph)"}, nil
}

// Execute sends the plan's call. A 403 names the permission the action
// needs. It returns the object as it is afterwards when there is one: the
// updated alert or incident, or the alert a comment was added to (else
// nil).
func (r *Responder) Execute(ctx context.Context, p *audit.Plan) (audit.Outcome, json.RawMessage, error) {
	switch {
	case p.Target.IdentityAccountID != "": // an on-premises account, through Defender for Identity
		out, err := r.executeOnPrem(ctx, p)
		return out, nil, err
	case slices.Contains([]string{ActionCommentAlert, ActionCommentIncident, ActionUpdateIncident}, p.Action):
		return r.executeTriage(ctx, p)
	}
	var err error
	var updated json.RawMessage
	detail := ""
	uid := p.Target.UserID
	switch p.Action {
	case ActionRevokeSessions:
		err = r.Graph.RevokeSignInSessions(ctx, uid)
		detail = "refresh tokens and session cookies issued before now are invalid"
	case ActionDisable, ActionEnable:
		enabled := p.Action == ActionEnable
		err = r.Graph.SetAccountEnabled(ctx, uid, enabled)
		detail = fmt.Sprintf("accountEnabled is now %v", enabled)
	case ActionConfirmCompromised:
		err = r.Graph.ConfirmCompromised(ctx, uid)
		detail = "user risk set to high (confirmedCompromised)"
	case ActionDismissRisk:
		err = r.Graph.DismissUserRisk(ctx, uid)
		detail = "user risk dismissed"
	case ActionUpdateAlert:
		updated, err = r.Graph.UpdateSecurityAlert(ctx, p.Target.AlertID, p.Body)
		if err == nil {
			if a, perr := ParseAlert(updated); perr == nil {
				detail = fmt.Sprintf("status %s, classification %s, determination %s, assigned to %s",
					a.Status, orDash(a.Classification), orDash(a.Determination), orDash(a.AssignedTo))
			}
		}
	default:
		return audit.Outcome{Result: "failed"}, nil, fmt.Errorf("unknown action %q", p.Action)
	}
	if err != nil {
		return audit.Outcome{Result: "failed"}, nil, actionError(p, err)
	}
	return audit.Outcome{Result: "succeeded", Detail: detail}, updated, nil
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}
