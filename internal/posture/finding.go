package posture

import (
	"crypto/sha256"
	"encoding/hex"
	"maps"
	"slices"
	"strings"
	"time"
)

// tenantObject is the object key of a finding that names no object, such as
// "no policy blocks legacy authentication".
const tenantObject = "tenant"

// FindingID returns the stable id of the finding that rule ruleID raises
// about object objectID ("" for the tenant as a whole) in tenant tenantID:
// the first 16 bytes of a SHA-256, hex encoded. Ids compare
// case-insensitively in Graph, so the inputs are lower-cased.
func FindingID(tenantID, ruleID, objectType, objectID string) string {
	if objectID == "" {
		objectType, objectID = tenantObject, tenantObject
	}
	h := sha256.Sum256([]byte(strings.ToLower(tenantID) + "\x00" + ruleID + "\x00" +
		strings.ToLower(objectType) + "\x00" + strings.ToLower(objectID)))
	return hex.EncodeToString(h[:16])
}

// findingIDs returns the finding ids of a fail or warning result: one per
// distinct evidence object, or one for the tenant when there is none.
func findingIDs(tenantID string, res Result) []string {
	if res.Status != StatusFail && res.Status != StatusWarning {
		return nil
	}
	if len(res.Evidence) == 0 {
		return []string{FindingID(tenantID, res.Rule.ID, "", "")}
	}
	var ids []string
	for _, ev := range res.Evidence {
		id := FindingID(tenantID, res.Rule.ID, ev.Type, ev.ID)
		if !slices.Contains(ids, id) {
			ids = append(ids, id)
		}
	}
	return ids
}

// Finding states in History.
const (
	FindingOpen     = "open"
	FindingResolved = "resolved"
)

// Finding is one problem with one object, tracked across assessments.
type Finding struct {
	ID       string   `json:"id"` // FindingID
	RuleID   string   `json:"ruleId"`
	Title    string   `json:"title"`
	Severity Severity `json:"severity"`
	Status   string   `json:"status"` // FindingOpen or FindingResolved
	// Object is the evidence that raised it; Type and ID "tenant" when the
	// rule named no object.
	Object     Evidence   `json:"object"`
	FirstSeen  time.Time  `json:"firstSeen"`
	LastSeen   time.Time  `json:"lastSeen"`
	ResolvedAt *time.Time `json:"resolvedAt,omitempty"`
	// Reopened counts how often the finding came back after being resolved.
	Reopened int `json:"reopened,omitempty"`
}

// History is every finding ever raised for one tenant, sorted by id. It is
// stored as JSON by the caller (the repository); the zero value is empty.
type History struct {
	TenantID string    `json:"tenantId"`
	Findings []Finding `json:"findings"`
}

// Findings lists the report's open findings (from fail and warning
// results), stamped with the report's GeneratedAt.
func (r *Report) Findings() []Finding {
	var out []Finding
	for _, res := range r.Results {
		if res.Status != StatusFail && res.Status != StatusWarning {
			continue
		}
		objs := res.Evidence
		if len(objs) == 0 {
			objs = []Evidence{{Type: tenantObject, ID: tenantObject, DisplayName: r.Tenant.DisplayName, Detail: res.Summary}}
		}
		seen := map[string]bool{}
		for _, ev := range objs {
			id := FindingID(r.Tenant.ID, res.Rule.ID, ev.Type, ev.ID)
			if seen[id] {
				continue
			}
			seen[id] = true
			out = append(out, Finding{ID: id, RuleID: res.Rule.ID, Title: res.Rule.Title, Severity: res.Rule.Severity,
				Status: FindingOpen, Object: ev, FirstSeen: r.GeneratedAt, LastSeen: r.GeneratedAt})
		}
	}
	slices.SortFunc(out, func(a, b Finding) int { return strings.Compare(a.ID, b.ID) })
	return out
}

// MergeHistory folds report r into prior and returns the new history; prior
// is not modified. For each finding of r: a new one is added with FirstSeen
// now, a known open one gets LastSeen now, and a resolved one reopens. A
// prior open finding is resolved (ResolvedAt now) only if its rule ran this
// time and passed or failed on other objects; a rule that reported error or
// na leaves its findings untouched, because "unknown" is not "fixed".
// "now" is r.GeneratedAt.
func MergeHistory(prior History, r *Report) History {
	now := r.GeneratedAt
	byID := map[string]Finding{}
	for _, f := range prior.Findings {
		byID[f.ID] = f
	}
	current := map[string]bool{}
	for _, f := range r.Findings() {
		current[f.ID] = true
		old, ok := byID[f.ID]
		switch {
		case !ok:
			byID[f.ID] = f
		case old.Status == FindingResolved:
			old.Status, old.ResolvedAt, old.LastSeen = FindingOpen, nil, now
			old.Reopened++
			old.Object, old.Severity, old.Title = f.Object, f.Severity, f.Title
			byID[f.ID] = old
		default:
			old.LastSeen = now
			old.Object, old.Severity, old.Title = f.Object, f.Severity, f.Title
			byID[f.ID] = old
		}
	}
	graded := map[string]bool{}
	for _, res := range r.Results {
		switch res.Status {
		case StatusPass, StatusFail, StatusWarning:
			graded[res.Rule.ID] = true
		}
	}
	for id, f := range byID {
		if f.Status == FindingOpen && !current[id] && graded[f.RuleID] {
			t := now
			f.Status, f.ResolvedAt = FindingResolved, &t
			byID[id] = f
		}
	}
	out := History{TenantID: prior.TenantID, Findings: make([]Finding, 0, len(byID))}
	if out.TenantID == "" {
		out.TenantID = r.Tenant.ID
	}
	for _, id := range slices.Sorted(maps.Keys(byID)) {
		out.Findings = append(out.Findings, byID[id])
	}
	return out
}
