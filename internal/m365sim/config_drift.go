package m365sim

import (
	"fmt"
	"net/http"
	"strings"

	"github.com/safeguard365/safeguard365/internal/m365sim/tenant"
)

// ConfigChange is one change POST /_sim/config-drift makes to the tenant's
// configuration, bypassing Graph's validation (as a change made in the
// portal, by another tool or by an attacker would appear to a backup).
//
//	{"op":"patch","set":"conditionalAccessPolicies","id":"…","props":{"state":"disabled"}}
//	{"op":"add","set":"namedLocations","props":{…}}          (an id is assigned unless given)
//	{"op":"delete","set":"namedLocations","id":"…"}
//	{"op":"patch","singleton":"authorizationPolicy","props":{…}}
//
// Set and singleton names are the tenant.Set* and tenant.Single* values.
// An id may also be an object's displayName.
type ConfigChange struct {
	Op        string         `json:"op"`
	Set       string         `json:"set,omitempty"`
	Singleton string         `json:"singleton,omitempty"`
	ID        string         `json:"id,omitempty"`
	Props     map[string]any `json:"props,omitempty"`
}

// ConfigDrift is the body of POST /_sim/config-drift. Without changes, a
// typical drift is applied: the first enabled CA policy is disabled, a
// trusted named location is added and a named location no policy uses is
// deleted.
type ConfigDrift struct {
	Changes []ConfigChange `json:"changes,omitempty"`
}

// DriftResult reports the changes made, with the ids of added objects.
type DriftResult struct {
	Changes []ConfigChange `json:"changes"`
}

func (s *Server) configDrift(w http.ResponseWriter, r *http.Request) {
	var in ConfigDrift
	if !decodeControl(w, r, &in) {
		return
	}
	res, err := ApplyConfigDrift(s.t(r), in)
	if err != nil {
		controlError(w, http.StatusBadRequest, err.Error())
		return
	}
	writeJSON(w, http.StatusOK, res)
}

// ApplyConfigDrift applies d to t's configuration under its write lock.
// On an error nothing after the failing change is applied.
func ApplyConfigDrift(t *tenant.Tenant, d ConfigDrift) (DriftResult, error) {
	var res DriftResult
	err := t.Write(func() error {
		changes := d.Changes
		if len(changes) == 0 {
			changes = defaultDrift(t)
		}
		for _, ch := range changes {
			done, err := applyChange(t, ch)
			if err != nil {
				return err
			}
			res.Changes = append(res.Changes, done)
		}
		return nil
	})
	return res, err
}

// defaultDrift picks the default changes. Hold the lock.
func defaultDrift(t *tenant.Tenant) []ConfigChange {
	var out []ConfigChange
	for _, p := range t.Config.List(tenant.SetConditionalAccess) {
		if str(p, "state") == "enabled" {
			out = append(out, ConfigChange{Op: "patch", Set: tenant.SetConditionalAccess, ID: tenant.KeyOf(p),
				Props: map[string]any{"state": "disabled"}})
			break
		}
	}
	out = append(out, ConfigChange{Op: "add", Set: tenant.SetNamedLocations, Props: map[string]any{
		"@odata.type": "#microsoft.graph.ipNamedLocation", "displayName": "Temporary contractor range", "isTrusted": true,
		"ipRanges": []any{map[string]any{"@odata.type": "#microsoft.graph.iPv4CidrRange", "cidrAddress": "192.0.2.0/24"}}}})
	for _, p := range t.Config.List(tenant.SetNamedLocations) {
		if namedLocationInUse(t, p) == nil {
			out = append(out, ConfigChange{Op: "delete", Set: tenant.SetNamedLocations, ID: tenant.KeyOf(p)})
			break
		}
	}
	return out
}

func applyChange(t *tenant.Tenant, ch ConfigChange) (ConfigChange, error) {
	now := tenant.Timestamp(t.Now())
	if ch.Singleton != "" {
		if ch.Op != "patch" {
			return ch, fmt.Errorf("singleton %s: only op patch applies", ch.Singleton)
		}
		p := t.Config.Singleton(ch.Singleton)
		if p == nil {
			return ch, fmt.Errorf("no singleton %q", ch.Singleton)
		}
		mergeProps(p, tenant.DeepCopy(ch.Props))
		return ch, nil
	}
	find := func() (tenant.Props, error) {
		if p := t.Config.Find(ch.Set, ch.ID); p != nil {
			return p, nil
		}
		for _, p := range t.Config.List(ch.Set) {
			if strings.EqualFold(str(p, "displayName"), ch.ID) {
				return p, nil
			}
		}
		return nil, fmt.Errorf("%s: no object %q", ch.Set, ch.ID)
	}
	switch ch.Op {
	case "patch":
		p, err := find()
		if err != nil {
			return ch, err
		}
		mergeProps(p, tenant.DeepCopy(ch.Props))
		for _, st := range []string{"modifiedDateTime", "lastModifiedDateTime"} {
			if _, ok := p[st]; ok {
				p[st] = now
			}
		}
		ch.ID = tenant.KeyOf(p)
	case "add":
		p := tenant.DeepCopy(ch.Props)
		if p == nil {
			p = tenant.Props{}
		}
		if tenant.KeyOf(p) == "" {
			p["id"] = t.NewGUID()
		}
		p["createdDateTime"] = now
		t.Config.Add(ch.Set, p)
		ch.ID = tenant.KeyOf(p)
	case "delete":
		p, err := find()
		if err != nil {
			return ch, err
		}
		ch.ID = tenant.KeyOf(p)
		t.Config.Remove(ch.Set, ch.ID)
	default:
		return ch, fmt.Errorf("unknown op %q (want patch, add or delete)", ch.Op)
	}
	return ch, nil
}
