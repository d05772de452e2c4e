package posture

import (
	"encoding/json"
	"fmt"
	"net/url"
	"regexp"
	"slices"
	"strings"

	"github.com/open-policy-agent/opa/v1/ast"
)

// Severity ranks how much a failed rule matters. The zero value is invalid.
type Severity string

// Severities, most severe first.
const (
	SeverityCritical Severity = "critical"
	SeverityHigh     Severity = "high"
	SeverityMedium   Severity = "medium"
	SeverityLow      Severity = "low"
	SeverityInfo     Severity = "info"
)

// Severities lists the valid severities, most severe first.
var Severities = []Severity{SeverityCritical, SeverityHigh, SeverityMedium, SeverityLow, SeverityInfo}

// Rank orders severities: critical is 4, info 0, an unknown value -1.
func (s Severity) Rank() int {
	if i := slices.Index(Severities, s); i >= 0 {
		return len(Severities) - 1 - i
	}
	return -1
}

// ParseSeverity accepts a severity name in any case.
func ParseSeverity(s string) (Severity, error) {
	sev := Severity(strings.ToLower(strings.TrimSpace(s)))
	if sev.Rank() < 0 {
		return "", fmt.Errorf("unknown severity %q (want critical, high, medium, low or info)", s)
	}
	return sev, nil
}

// Level says whether a rule is mandatory. A failed SHOULD rule reports
// StatusWarning instead of StatusFail.
type Level string

// Levels, from the baseline's RFC 2119 wording (SHALL counts as MUST).
const (
	LevelMust   Level = "MUST"
	LevelShould Level = "SHOULD"
)

// ExclusionKind says which exclusions a rule accepts, following the
// baseline's "ExclusionType" markers.
type ExclusionKind string

// Exclusion kinds.
const (
	ExclusionsNone ExclusionKind = ""     // the rule accepts none
	ExclusionsCA   ExclusionKind = "ca"   // users, groups and roles a conditional access policy may exclude
	ExclusionsRole ExclusionKind = "role" // users and groups allowed to hold a standing privileged role
)

// Rule is one check: its metadata and where it came from. Rules are
// immutable once loaded.
type Rule struct {
	ID          string   `json:"id"`    // e.g. "MS.AAD.1.1v1"; unique across all loaded packs
	Title       string   `json:"title"` // short, states the desired configuration
	Description string   `json:"description,omitempty"`
	Severity    Severity `json:"severity"`
	Level       Level    `json:"level"`
	Rationale   string   `json:"rationale"`
	Remediation string   `json:"remediation"`
	References  []string `json:"references,omitempty"` // URLs
	// Frameworks maps a framework name ("scuba", "cis_m365") to the
	// control ids this rule implements.
	Frameworks map[string][]string `json:"frameworks,omitempty"`
	// ServicePlans lists Graph service plan names (servicePlans[].servicePlanName
	// of subscribedSkus); the rule applies when any one is enabled. Empty means
	// no licence beyond the base one.
	ServicePlans []string `json:"servicePlans,omitempty"`
	// Sources are the inventory keys the rule needs; if any is not "ok",
	// the rule reports StatusError without running.
	Sources []string `json:"sources"`
	// OptionalSources are read when collected; the rule decides what their
	// absence means.
	OptionalSources []string      `json:"optionalSources,omitempty"`
	Exclusions      ExclusionKind `json:"exclusions,omitempty"`
	// Manual, when set, says why the rule cannot be checked through the
	// API; it reports StatusNA with this reason and has no Rego logic.
	Manual string `json:"manual,omitempty"`

	Pack string `json:"pack"` // "scuba_aad", or the user directory
	File string `json:"file"` // the .rego file, for error messages

	query string // "data.<package>.result"
}

// ruleMeta is the custom: block of a rule's METADATA annotation.
type ruleMeta struct {
	ID              string              `json:"id"`
	Severity        string              `json:"severity"`
	Level           string              `json:"level"`
	Rationale       string              `json:"rationale"`
	Remediation     string              `json:"remediation"`
	Frameworks      map[string][]string `json:"frameworks"`
	ServicePlans    []string            `json:"service_plans"`
	Sources         []string            `json:"sources"`
	OptionalSources []string            `json:"optional_sources"`
	Exclusions      string              `json:"exclusions"`
	Manual          string              `json:"manual"`
}

var (
	ruleIDPattern    = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._:-]{0,63}$`)
	sourceKeyPattern = regexp.MustCompile(`^[a-z][A-Za-z0-9]*$`)
	knownCustomKeys  = []string{"id", "severity", "level", "rationale", "remediation", "frameworks",
		"service_plans", "sources", "optional_sources", "exclusions", "manual"}
)

// ruleFromAnnotations builds and validates a Rule from a module's
// package-scope METADATA. Errors name the file and, once known, the rule.
func ruleFromAnnotations(file string, a *ast.Annotations) (*Rule, error) {
	fail := func(id, format string, args ...any) error {
		where := file
		if id != "" {
			where += ": rule " + id
		}
		return fmt.Errorf("%s: %w: %s", where, ErrRuleMetadata, fmt.Sprintf(format, args...))
	}
	customID := ""
	if id, ok := a.Custom["id"].(string); ok {
		customID = id
	}
	if a.Custom == nil {
		return nil, fail("", "METADATA has no custom: block (it needs at least id, severity, level, rationale, remediation, sources)")
	}
	for k := range a.Custom {
		if !slices.Contains(knownCustomKeys, k) {
			return nil, fail(customID, "unknown custom key %q (known: %s)", k, strings.Join(knownCustomKeys, ", "))
		}
	}
	// Round-trip through JSON so YAML's loose typing turns into type errors.
	b, err := json.Marshal(a.Custom)
	if err != nil {
		return nil, fail("", "custom: %v", err)
	}
	var m ruleMeta
	if err := json.Unmarshal(b, &m); err != nil {
		return nil, fail(customID, "custom: %v", err)
	}
	if !ruleIDPattern.MatchString(m.ID) {
		return nil, fail("", "custom.id %q is missing or not a valid rule id", m.ID)
	}
	r := &Rule{ID: m.ID, Title: strings.TrimSpace(a.Title), Description: strings.TrimSpace(a.Description),
		Rationale: strings.TrimSpace(m.Rationale), Remediation: strings.TrimSpace(m.Remediation),
		Frameworks: m.Frameworks, ServicePlans: m.ServicePlans, Sources: m.Sources,
		OptionalSources: m.OptionalSources, Manual: strings.TrimSpace(m.Manual), File: file}
	if r.Title == "" {
		return nil, fail(r.ID, "title is missing")
	}
	if r.Severity, err = ParseSeverity(m.Severity); err != nil {
		return nil, fail(r.ID, "custom.severity: %v", err)
	}
	switch strings.ToUpper(m.Level) {
	case "MUST", "SHALL":
		r.Level = LevelMust
	case "SHOULD":
		r.Level = LevelShould
	default:
		return nil, fail(r.ID, "custom.level %q: want MUST or SHOULD", m.Level)
	}
	if r.Rationale == "" || r.Remediation == "" {
		return nil, fail(r.ID, "custom.rationale and custom.remediation are required")
	}
	switch ExclusionKind(m.Exclusions) {
	case ExclusionsNone, ExclusionsCA, ExclusionsRole:
		r.Exclusions = ExclusionKind(m.Exclusions)
	default:
		return nil, fail(r.ID, "custom.exclusions %q: want ca, role or nothing", m.Exclusions)
	}
	if len(r.Sources) == 0 && r.Manual == "" {
		return nil, fail(r.ID, "custom.sources is empty; list the inventory keys the rule reads")
	}
	for _, s := range append(slices.Clone(r.Sources), r.OptionalSources...) {
		if !sourceKeyPattern.MatchString(s) {
			return nil, fail(r.ID, "source %q is not an inventory key (camelCase, e.g. conditionalAccessPolicies)", s)
		}
	}
	for _, p := range r.ServicePlans {
		if p == "" || strings.ContainsAny(p, " \t") {
			return nil, fail(r.ID, "service plan %q is not a servicePlanName", p)
		}
	}
	for _, rr := range a.RelatedResources {
		u := rr.Ref
		if u.Scheme != "https" && u.Scheme != "http" {
			return nil, fail(r.ID, "related_resources ref %q is not an http(s) URL", u.String())
		}
		r.References = append(r.References, (&url.URL{Scheme: u.Scheme, Host: u.Host, Path: u.Path,
			RawPath: u.RawPath, RawQuery: u.RawQuery, Fragment: u.Fragment}).String())
	}
	for fw, ids := range r.Frameworks {
		if fw == "" || len(ids) == 0 {
			return nil, fail(r.ID, "custom.frameworks.%s needs at least one control id", fw)
		}
	}
	return r, nil
}
