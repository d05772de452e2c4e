package userguard

import (
	"cmp"
	"slices"

	"github.com/safeguard365/safeguard365/internal/posture"
)

// ADCategory groups AD rules for scoring.
type ADCategory string

// The scoring categories.
const (
	CategoryStale      ADCategory = "staleObjects"       // dormant accounts, obsolete systems, weak account flags
	CategoryPrivileged ADCategory = "privilegedAccounts" // admins, their protection and who can replicate secrets
	CategoryTrusts     ADCategory = "trustsDelegation"   // trusts, delegation and SID history
	CategoryAnomalies  ADCategory = "anomalies"          // Kerberos and domain-wide settings
)

// ADCategories lists the categories in report order.
var ADCategories = []ADCategory{CategoryStale, CategoryPrivileged, CategoryTrusts, CategoryAnomalies}

// categoryCap bounds each category score: one category full of findings
// reads as 100, the worst, however many more there are.
const categoryCap = 100

// rulePoints is how much one failing rule adds to its category: Base once,
// plus PerItem for each evidence object after the first, at most Max. A
// rule that names one object scores Base.
type rulePoints struct {
	Category ADCategory
	Base     int
	PerItem  int
	Max      int
}

// adPoints weighs the AD rules. Domain takeover in one step (DCSync rights,
// unconstrained delegation, no SID filtering, an old krbtgt) weighs most;
// hygiene (adminCount, primary group, recycle bin) least.
var adPoints = map[string]rulePoints{
	"SG.AD.1":  {CategoryAnomalies, 30, 0, 30},
	"SG.AD.2":  {CategoryAnomalies, 15, 5, 40},
	"SG.AD.3":  {CategoryPrivileged, 15, 5, 40},
	"SG.AD.4":  {CategoryTrusts, 30, 10, 60},
	"SG.AD.5":  {CategoryTrusts, 10, 5, 30},
	"SG.AD.6":  {CategoryPrivileged, 15, 3, 30},
	"SG.AD.7":  {CategoryPrivileged, 5, 2, 15},
	"SG.AD.8":  {CategoryPrivileged, 10, 5, 25},
	"SG.AD.9":  {CategoryPrivileged, 10, 5, 25},
	"SG.AD.10": {CategoryPrivileged, 5, 2, 15},
	"SG.AD.11": {CategoryStale, 10, 2, 30},
	"SG.AD.12": {CategoryStale, 10, 1, 30},
	"SG.AD.13": {CategoryTrusts, 20, 5, 40},
	"SG.AD.14": {CategoryStale, 15, 2, 25},
	"SG.AD.15": {CategoryAnomalies, 15, 5, 25},
	"SG.AD.16": {CategoryAnomalies, 10, 0, 10},
	"SG.AD.17": {CategoryStale, 20, 0, 20},
	"SG.AD.18": {CategoryStale, 5, 2, 15},
	"SG.AD.19": {CategoryStale, 10, 5, 30},
	"SG.AD.20": {CategoryPrivileged, 50, 10, 80},
	"SG.AD.21": {CategoryTrusts, 30, 10, 50},
	"SG.AD.22": {CategoryAnomalies, 5, 0, 5},
}

// ADScore is the risk score of one assessment: 0 is best, 100 worst.
type ADScore struct {
	// Global combines the categories: 60% the worst category and 40% their
	// average, so one bad area dominates but breadth still counts.
	Global int `json:"global"`
	// Rating names the band of Global: low (0–19), moderate (20–49),
	// high (50–74) or critical (75–100).
	Rating     string            `json:"rating"`
	Categories []ADCategoryScore `json:"categories"`
	// Unknown lists rules that reported error and were not scored, so a
	// low score from missing data is visible.
	Unknown []string `json:"unknown,omitempty"`
}

// ADCategoryScore is one category's share.
type ADCategoryScore struct {
	Category ADCategory    `json:"category"`
	Score    int           `json:"score"` // capped at 100
	Points   int           `json:"points"`
	Rules    []ADRuleScore `json:"rules,omitempty"` // the failing rules, most points first
}

// ADRuleScore is what one failing rule contributed.
type ADRuleScore struct {
	RuleID string `json:"ruleId"`
	Items  int    `json:"items"` // evidence objects
	Points int    `json:"points"`
}

// ScoreAD scores AD rule results. Failures and warnings count; pass and
// na count nothing; errors are listed in Unknown. Results of rules that are
// not AD rules are ignored. ScoreAD is a pure function.
func ScoreAD(results []posture.Result) ADScore {
	return score(results, adPoints, ADCategories)
}

// score is the scoring model over a points table and its categories:
// capped category points, global = 60 % worst category + 40 % mean.
func score(results []posture.Result, points map[string]rulePoints, cats []ADCategory) ADScore {
	byCat := map[ADCategory]*ADCategoryScore{}
	for _, c := range cats {
		byCat[c] = &ADCategoryScore{Category: c}
	}
	var s ADScore
	for _, r := range results {
		p, ok := points[r.Rule.ID]
		if !ok {
			continue
		}
		switch r.Status {
		case posture.StatusError:
			s.Unknown = append(s.Unknown, r.Rule.ID)
			continue
		case posture.StatusFail, posture.StatusWarning:
		default:
			continue
		}
		items := max(len(r.Evidence), 1)
		pts := min(p.Base+p.PerItem*(items-1), p.Max)
		c := byCat[p.Category]
		c.Points += pts
		c.Rules = append(c.Rules, ADRuleScore{RuleID: r.Rule.ID, Items: items, Points: pts})
	}
	worst, sum := 0, 0
	for _, cat := range cats {
		c := byCat[cat]
		c.Score = min(c.Points, categoryCap)
		slices.SortStableFunc(c.Rules, func(a, b ADRuleScore) int { return cmp.Compare(b.Points, a.Points) })
		worst = max(worst, c.Score)
		sum += c.Score
		s.Categories = append(s.Categories, *c)
	}
	n := len(cats)
	// (6*worst + 4*sum/n)/10, rounded half up, in integers.
	s.Global = (6*n*worst + 4*sum + 5*n) / (10 * n)
	s.Rating = rating(s.Global)
	return s
}

func rating(score int) string {
	switch {
	case score >= 75:
		return "critical"
	case score >= 50:
		return "high"
	case score >= 20:
		return "moderate"
	default:
		return "low"
	}
}
