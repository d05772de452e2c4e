package posture

import (
	"slices"
	"time"
)

// Status is the outcome of one rule.
type Status string

// Statuses, in the order reports list them.
const (
	StatusFail    Status = "fail"    // a MUST rule is not met
	StatusWarning Status = "warning" // a SHOULD rule is not met
	StatusError   Status = "error"   // an input failed to collect, or the rule failed to run
	StatusPass    Status = "pass"
	StatusNA      Status = "na" // not licensed, not applicable, or a manual check
)

// Statuses lists the statuses in report order.
var Statuses = []Status{StatusFail, StatusWarning, StatusError, StatusPass, StatusNA}

// Evidence names one object behind a result: a policy, user, role, domain
// or setting. ID and DisplayName come from Graph; Detail says what is wrong
// (or, for a pass, what satisfies the rule).
type Evidence struct {
	Type        string `json:"type"` // e.g. "conditionalAccessPolicy", "user", "domain"
	ID          string `json:"id"`
	DisplayName string `json:"displayName,omitempty"`
	Detail      string `json:"detail,omitempty"`
}

// Result is the outcome of one rule against one inventory.
type Result struct {
	Rule    *Rule  `json:"rule"`
	Status  Status `json:"status"`
	Summary string `json:"summary"`
	// Reason explains StatusNA and StatusError (the licence that is
	// missing, the source that failed, "manual check").
	Reason   string     `json:"reason,omitempty"`
	Evidence []Evidence `json:"evidence,omitempty"`
	// Exclusions are the ones the rule was evaluated with.
	Exclusions *RuleExclusions `json:"exclusions,omitempty"`
	// FindingIDs are the ids of the findings this result raised (fail and
	// warning only), parallel to the failing evidence.
	FindingIDs []string `json:"findingIds,omitempty"`
}

// Report is one assessment: an inventory graded against the loaded rules.
type Report struct {
	SchemaVersion int         `json:"schemaVersion"` // ReportSchemaVersion
	Tenant        Tenant      `json:"tenant"`
	CollectedAt   time.Time   `json:"collectedAt"`
	GeneratedAt   time.Time   `json:"generatedAt"`
	Packs         []string    `json:"packs"`
	Exclusions    *Exclusions `json:"exclusions,omitempty"`
	// Sources are the inventory's collection states, so a reader can see
	// why rules report error.
	Sources map[string]SourceStatus `json:"sources,omitempty"`
	Summary Summary                 `json:"summary"`
	Results []Result                `json:"results"` // sorted by rule id
}

// ReportSchemaVersion is the version of the JSON report format.
const ReportSchemaVersion = 1

// Summary counts results by status, by severity and status, and by
// framework and status.
type Summary struct {
	Total      int                         `json:"total"`
	ByStatus   map[Status]int              `json:"byStatus"`
	BySeverity map[Severity]map[Status]int `json:"bySeverity"`
	// ByFramework counts results per framework that maps the rule.
	ByFramework map[string]map[Status]int `json:"byFramework,omitempty"`
	// Score is the percentage of passing rules among pass, fail and
	// warning ones; na and error do not count. -1 when none count.
	Score int `json:"score"`
}

func summarize(results []Result) Summary {
	s := Summary{Total: len(results), ByStatus: map[Status]int{}, BySeverity: map[Severity]map[Status]int{},
		ByFramework: map[string]map[Status]int{}}
	for _, sev := range Severities {
		s.BySeverity[sev] = map[Status]int{}
	}
	for _, st := range Statuses {
		s.ByStatus[st] = 0
	}
	for _, r := range results {
		s.ByStatus[r.Status]++
		if m := s.BySeverity[r.Rule.Severity]; m != nil {
			m[r.Status]++
		}
		for fw := range r.Rule.Frameworks {
			if s.ByFramework[fw] == nil {
				s.ByFramework[fw] = map[Status]int{}
			}
			s.ByFramework[fw][r.Status]++
		}
	}
	graded := s.ByStatus[StatusPass] + s.ByStatus[StatusFail] + s.ByStatus[StatusWarning]
	s.Score = -1
	if graded > 0 {
		s.Score = s.ByStatus[StatusPass] * 100 / graded
	}
	return s
}

// FailOn returns the failed results (StatusFail) whose severity is min or
// worse, for a pipeline exit code. Warnings (unmet SHOULD rules) and errors
// never count: an error means "unknown", which a caller reports separately.
func (r *Report) FailOn(min Severity) []Result {
	var out []Result
	for _, res := range r.Results {
		if res.Status == StatusFail && res.Rule.Severity.Rank() >= min.Rank() {
			out = append(out, res)
		}
	}
	return out
}

// Result returns the result of rule id, or false.
func (r *Report) Result(id string) (Result, bool) {
	i := slices.IndexFunc(r.Results, func(res Result) bool { return res.Rule.ID == id })
	if i < 0 {
		return Result{}, false
	}
	return r.Results[i], true
}
