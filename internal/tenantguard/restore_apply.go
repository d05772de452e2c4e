package tenantguard

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"time"

	"github.com/safeguard365/safeguard365/internal/graph"
)

// Call is one Graph request Apply made, for the audit record.
type Call struct {
	Time   time.Time `json:"time"`
	Kind   string    `json:"kind"`
	Key    string    `json:"key,omitempty"`
	Method string    `json:"method"`
	Path   string    `json:"path"`
	Status int       `json:"status,omitempty"` // HTTP status of a failed call
	Result string    `json:"result"`           // "ok" or the error
}

// ApplyResult is what Apply did: every step of the plan with its Result
// (skipped and unchanged steps as planned), and every call in order.
type ApplyResult struct {
	Steps   []Step `json:"steps"`
	Calls   []Call `json:"calls"`
	Applied int    `json:"applied"` // creates, updates and deletions that succeeded
	Failed  int    `json:"failed"`
}

// Apply carries out a plan through c: creations and updates kind by kind
// in registry order, so that named locations and authentication strengths
// exist before the policies that name them, then deletions in reverse
// order. Each object created under a new id maps its snapshot id to the
// new one, and every later object's references are rewritten before it
// is sent. A step that fails (Graph refuses it, or a reference could not
// be mapped when planning) is recorded with its error and the others go
// on. Apply returns an error only when ctx ends; the result then holds
// what was done so far.
func Apply(ctx context.Context, c *graph.Client, p *RestorePlan) (*ApplyResult, error) {
	a := &applier{c: c, p: p, res: &ApplyResult{}, remap: map[string]string{}, now: p.Options.Now}
	if a.now == nil {
		a.now = time.Now
	}
	for k, v := range p.remap {
		a.remap[k] = v
	}
	for _, st := range p.Steps {
		if err := ctx.Err(); err != nil {
			return a.res, err
		}
		k := Lookup(st.Kind)
		if st.Action != ActionCreate && st.Action != ActionUpdate && st.Action != ActionDelete {
			a.res.Steps = append(a.res.Steps, st)
			continue
		}
		var err error
		switch {
		case st.Error != "":
			err = errors.New(st.Error)
		case st.Action == ActionCreate:
			st.NewKey, err = a.create(ctx, k, st)
		case st.Action == ActionUpdate:
			err = a.update(ctx, k, st)
		default:
			err = a.send(ctx, st, http.MethodDelete, a.objectPath(k, st.Key), nil, nil)
		}
		if err != nil && errors.Is(err, context.Canceled) {
			return a.res, err
		}
		if err != nil {
			st.Result, st.Error = "failed", err.Error()
			a.res.Failed++
		} else {
			st.Result = "ok"
			a.res.Applied++
		}
		a.res.Steps = append(a.res.Steps, st)
	}
	return a.res, nil
}

type applier struct {
	c     *graph.Client
	p     *RestorePlan
	res   *ApplyResult
	remap map[string]string // snapshot id -> tenant id, growing with creations
	now   func() time.Time
}

// send makes one call and records it.
func (a *applier) send(ctx context.Context, st Step, method, path string, body, out any) error {
	err := a.c.Send(ctx, method, path, body, out, graph.WithOp("tenantguard: restore "+st.Kind))
	call := Call{Time: a.now().UTC(), Kind: st.Kind, Key: st.Key, Method: method, Path: path, Result: "ok"}
	if err != nil {
		call.Result = err.Error()
		var ae *graph.APIError
		if errors.As(err, &ae) {
			call.Status = ae.Status
		}
	}
	a.res.Calls = append(a.res.Calls, call)
	return err
}

func (a *applier) objectPath(k *Kind, key string) string {
	if k.Singleton {
		return k.Path
	}
	return k.Path + graph.Pathf("/%s", key)
}

// writable returns the snapshot object of a step with references remapped
// and without what Graph owns: the key (kept for a create of a kind keyed
// by another property, cross-tenant partners), the kind's ReadOnlyProps,
// and @odata.type unless the kind is Typed. A conditional access policy's
// authentication strength is sent as {"id"} only: Graph returns the whole
// strength policy there but takes a reference.
// https://learn.microsoft.com/en-us/graph/api/resources/conditionalaccessgrantcontrols
func (a *applier) writable(k *Kind, st Step, create bool) map[string]any {
	obj := remapWith(k, st.snap, a.remap)
	if !(create && k.Key != "") {
		delete(obj, k.key())
	}
	delete(obj, "id")
	for _, p := range k.ReadOnlyProps {
		delete(obj, p)
	}
	if !k.Typed {
		delete(obj, "@odata.type")
	}
	if gc := sub(obj, "grantControls"); gc != nil {
		if as := sub(gc, "authenticationStrength"); as != nil {
			gc["authenticationStrength"] = map[string]any{"id": as["id"]}
		}
	}
	return obj
}

func pick(obj map[string]any, props ...string) map[string]any {
	out := map[string]any{}
	for _, p := range props {
		if v, ok := obj[p]; ok {
			out[p] = v
		}
	}
	return out
}

func isIntune(k *Kind) bool {
	return k.Name == "deviceCompliancePolicies" || k.Name == "deviceConfigurations"
}

// create POSTs a missing object and returns its key in the tenant.
//
//   - authentication strengths: displayName, description and
//     allowedCombinations (authenticationstrengthroot-post-policies);
//   - role assignments: principal, role and scope
//     (rbacapplication-post-roleassignments);
//   - Intune policies: the policy with its scheduled actions but without
//     ids Graph assigns, then the assignments through the assign action
//     (intune-deviceconfig-devicecompliancepolicy-create, -assign).
func (a *applier) create(ctx context.Context, k *Kind, st Step) (string, error) {
	body := a.writable(k, st, true)
	var assignments []any
	switch {
	case k.Name == "authenticationStrengthPolicies":
		body = pick(body, "displayName", "description", "allowedCombinations")
	case k.Name == "roleAssignments":
		body = pick(body, "principalId", "roleDefinitionId", "directoryScopeId", "appScopeId")
		if body["appScopeId"] == nil {
			delete(body, "appScopeId")
		}
	case isIntune(k):
		assignments = list(body, "assignments")
		delete(body, "assignments")
		for _, act := range list(body, "scheduledActionsForRule") {
			am, _ := act.(map[string]any)
			delete(am, "id")
			for _, c := range list(am, "scheduledActionConfigurations") {
				cm, _ := c.(map[string]any)
				delete(cm, "id")
			}
		}
	}
	var out map[string]any
	if err := a.send(ctx, st, http.MethodPost, k.Path, body, &out); err != nil {
		return "", err
	}
	newKey := str(out, k.key())
	if newKey == "" {
		return "", fmt.Errorf("created, but Graph's answer has no %s", k.key())
	}
	if newKey != st.Key {
		a.remap[st.Key] = newKey
	}
	if len(assignments) > 0 {
		return newKey, a.assign(ctx, k, st, newKey, assignments)
	}
	return newKey, nil
}

// assign replaces an Intune policy's assignments: only their targets are
// sent, ids are Graph's.
func (a *applier) assign(ctx context.Context, k *Kind, st Step, key string, assignments []any) error {
	out := make([]any, 0, len(assignments))
	for _, x := range assignments {
		am, _ := x.(map[string]any)
		out = append(out, map[string]any{"target": am["target"]})
	}
	return a.send(ctx, st, http.MethodPost, a.objectPath(k, key)+"/assign", map[string]any{"assignments": out}, nil)
}

// update writes the top-level properties a step changes.
//
//   - authentication strengths: displayName and description by PATCH,
//     allowedCombinations only through the updateAllowedCombinations
//     action (authenticationstrengthpolicy-update,
//     authenticationstrengthpolicy-updateallowedcombinations);
//   - the admin consent request policy: PUT of the whole policy, the only
//     update Graph documents (adminconsentrequestpolicy-update);
//   - PIM policies: PATCH of each changed rule, naming its @odata.type
//     (unifiedrolemanagementpolicyrule-update);
//   - Intune policies: PATCH of the properties with the @odata.type, then
//     the assign action when assignments changed; scheduled actions of an
//     existing policy are not rewritten;
//   - everything else: PATCH of the changed properties, with @odata.type
//     for Typed kinds (ipnamedlocation-update,
//     authenticationmethodconfiguration-update).
func (a *applier) update(ctx context.Context, k *Kind, st Step) error {
	body := a.writable(k, st, false)
	path := a.objectPath(k, st.target())
	props := topLevel(st.Changes)
	changed := map[string]any{}
	for _, p := range props {
		if p == "id" || p == "@odata.type" || p == k.key() || containsStr(k.ReadOnlyProps, p) {
			continue
		}
		if v, ok := body[p]; ok {
			changed[p] = v
		} else if _, inSnap := st.snap[p]; !inSnap {
			changed[p] = nil // absent from the snapshot: cleared
		}
	}
	switch {
	case k.Name == "authenticationStrengthPolicies":
		if patch := pick(changed, "displayName", "description"); len(patch) > 0 {
			if err := a.send(ctx, st, http.MethodPatch, path, patch, nil); err != nil {
				return err
			}
		}
		if _, ok := changed["allowedCombinations"]; ok {
			return a.send(ctx, st, http.MethodPost, path+"/updateAllowedCombinations",
				pick(body, "allowedCombinations"), nil)
		}
		return nil
	case k.Name == "adminConsentRequestPolicy":
		delete(body, "version")
		return a.send(ctx, st, http.MethodPut, path, body, nil)
	case k.Name == "roleManagementPolicies":
		return a.updateRules(ctx, k, st, path, body)
	case isIntune(k):
		assignments, assign := changed["assignments"]
		_, actions := changed["scheduledActionsForRule"]
		delete(changed, "assignments")
		delete(changed, "scheduledActionsForRule")
		if len(changed) > 0 {
			changed["@odata.type"] = body["@odata.type"]
			if err := a.send(ctx, st, http.MethodPatch, path, changed, nil); err != nil {
				return err
			}
		}
		if assign {
			l, _ := assignments.([]any)
			if err := a.assign(ctx, k, st, st.target(), l); err != nil {
				return err
			}
		}
		if actions {
			return errors.New("the scheduled actions differ; they are not rewritten on an existing policy (delete it and restore it to recreate them)")
		}
		return nil
	}
	if len(changed) == 0 {
		return nil // only properties Graph owns differ
	}
	if k.Typed {
		changed["@odata.type"] = body["@odata.type"]
	}
	return a.send(ctx, st, http.MethodPatch, path, changed, nil)
}

func containsStr(s []string, v string) bool {
	for _, e := range s {
		if e == v {
			return true
		}
	}
	return false
}

// updateRules PATCHes each changed rule of a PIM role management policy.
func (a *applier) updateRules(ctx context.Context, k *Kind, st Step, path string, body map[string]any) error {
	rules := map[string]map[string]any{}
	for _, r := range list(body, "rules") {
		if rm, ok := r.(map[string]any); ok {
			rules[str(rm, "id")] = rm
		}
	}
	var done []string
	for _, c := range st.Changes {
		id, ok := ruleOf(c.Path)
		if !ok || containsStr(done, id) {
			continue
		}
		done = append(done, id)
		rule := rules[id]
		if rule == nil {
			return fmt.Errorf("rule %s is not in the snapshot; rules cannot be deleted", id)
		}
		if err := a.send(ctx, st, http.MethodPatch, path+graph.Pathf("/rules/%s", id), rule, nil); err != nil {
			return err
		}
	}
	return nil
}

// ruleOf returns the rule id of a change path "rules[ID]…".
func ruleOf(path string) (string, bool) {
	const pre = "rules["
	if len(path) <= len(pre) || path[:len(pre)] != pre {
		return "", false
	}
	for i := len(pre); i < len(path); i++ {
		if path[i] == ']' {
			return path[len(pre):i], true
		}
	}
	return "", false
}
