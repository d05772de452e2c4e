package posture

import (
	_ "embed"
	"fmt"
	"html/template"
	"io"
	"slices"
	"strings"
)

//go:embed report.html.tmpl
var reportHTML string

// htmlTemplate renders WriteHTML. It is parsed once; html/template escapes
// every value from the tenant (display names, policy names).
var htmlTemplate = template.Must(template.New("report").Funcs(template.FuncMap{
	"pct": func(n, total int) string {
		if total == 0 {
			return "0"
		}
		return fmt.Sprintf("%.1f", float64(n)*100/float64(total))
	},
	"score": scoreText,
	"count": func(m map[Status]int, s Status) int { return m[s] },
	"rowTotal": func(m map[Status]int) int {
		n := 0
		for _, v := range m {
			n += v
		}
		return n
	},
	"frameworks": frameworksText,
	"upper":      strings.ToUpper,
	"safeURL": func(s string) template.URL {
		// References come from rule metadata, validated as http(s) at load.
		if strings.HasPrefix(s, "https://") || strings.HasPrefix(s, "http://") {
			return template.URL(s)
		}
		return ""
	},
}).Parse(reportHTML))

// htmlView is what the template sees.
type htmlView struct {
	*Report
	Statuses    []Status
	Severities  []Severity
	Frameworks  []string
	Ordered     []Result // fail, warning, error, pass, na; then severity; then id
	Uncollected []string // sources whose status is not ok, sorted
}

// WriteHTML writes a self-contained HTML report: inline CSS, no scripts, no
// external resources (links to references only). It opens with a summary by
// severity, result and framework, then one section per rule.
func WriteHTML(w io.Writer, r *Report) error {
	v := htmlView{Report: r, Statuses: Statuses, Severities: Severities, Ordered: slices.Clone(r.Results)}
	for fw := range r.Summary.ByFramework {
		v.Frameworks = append(v.Frameworks, fw)
	}
	slices.Sort(v.Frameworks)
	for k, st := range r.Sources {
		if st.Status != SourceOK {
			v.Uncollected = append(v.Uncollected, k)
		}
	}
	slices.Sort(v.Uncollected)
	slices.SortStableFunc(v.Ordered, func(a, b Result) int {
		if d := slices.Index(Statuses, a.Status) - slices.Index(Statuses, b.Status); d != 0 {
			return d
		}
		if d := b.Rule.Severity.Rank() - a.Rule.Severity.Rank(); d != 0 {
			return d
		}
		return compareIDs(a.Rule.ID, b.Rule.ID)
	})
	return htmlTemplate.Execute(w, v)
}
