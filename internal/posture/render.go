package posture

import (
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"slices"
	"strings"
	"text/tabwriter"
)

// WriteTable writes one line per rule (rule, severity, result, summary)
// followed by the counts, for a terminal.
func WriteTable(w io.Writer, r *Report) error {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "RULE\tSEVERITY\tRESULT\tSUMMARY")
	for _, res := range r.Results {
		summary := res.Summary
		if res.Reason != "" && (res.Status == StatusError || res.Status == StatusNA) {
			summary = res.Reason
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", res.Rule.ID, res.Rule.Severity, res.Status, oneLine(summary, 110))
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	s := r.Summary
	_, err := fmt.Fprintf(w, "\n%d rules: %d pass, %d fail, %d warning, %d n/a, %d error; score %s\n",
		s.Total, s.ByStatus[StatusPass], s.ByStatus[StatusFail], s.ByStatus[StatusWarning], s.ByStatus[StatusNA],
		s.ByStatus[StatusError], scoreText(s.Score))
	return err
}

func scoreText(score int) string {
	if score < 0 {
		return "n/a"
	}
	return fmt.Sprintf("%d%%", score)
}

func oneLine(s string, max int) string {
	s = strings.Join(strings.Fields(s), " ")
	if r := []rune(s); len(r) > max {
		return string(r[:max-1]) + "…"
	}
	return s
}

// WriteJSON writes the report as one indented JSON document; ReadReport
// reads it back.
func WriteJSON(w io.Writer, r *Report) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(r)
}

// ReadReport decodes a report written by WriteJSON.
func ReadReport(rd io.Reader) (*Report, error) {
	var r Report
	if err := json.NewDecoder(rd).Decode(&r); err != nil {
		return nil, fmt.Errorf("read report: %w", err)
	}
	if r.SchemaVersion != ReportSchemaVersion {
		return nil, fmt.Errorf("read report: schemaVersion %d, want %d", r.SchemaVersion, ReportSchemaVersion)
	}
	for i, res := range r.Results {
		if res.Rule == nil {
			return nil, fmt.Errorf("read report: result %d has no rule", i)
		}
	}
	return &r, nil
}

// csvHeader is the first row of WriteCSV.
var csvHeader = []string{"rule_id", "title", "severity", "level", "result", "summary", "reason",
	"evidence", "frameworks", "finding_ids", "remediation"}

// WriteCSV writes one row per rule with the columns of csvHeader. Evidence
// is "type:id (name): detail" items joined by " | ".
func WriteCSV(w io.Writer, r *Report) error {
	cw := csv.NewWriter(w)
	if err := cw.Write(csvHeader); err != nil {
		return err
	}
	for _, res := range r.Results {
		var ev []string
		for _, e := range res.Evidence {
			ev = append(ev, evidenceText(e))
		}
		row := []string{res.Rule.ID, res.Rule.Title, string(res.Rule.Severity), string(res.Rule.Level),
			string(res.Status), res.Summary, res.Reason, strings.Join(ev, " | "), frameworksText(res.Rule.Frameworks),
			strings.Join(res.FindingIDs, " "), res.Rule.Remediation}
		for i := range row {
			row[i] = csvSafe(row[i])
		}
		if err := cw.Write(row); err != nil {
			return err
		}
	}
	cw.Flush()
	return cw.Error()
}

// csvSafe defuses spreadsheet formulas: display names come from the
// tenant, and a cell starting with = + - or @ would run in Excel.
func csvSafe(s string) string {
	if s != "" && strings.ContainsRune("=+-@\t\r", rune(s[0])) {
		return "'" + s
	}
	return s
}

func evidenceText(e Evidence) string {
	s := e.Type + ":" + e.ID
	if e.DisplayName != "" && e.DisplayName != e.ID {
		s += " (" + e.DisplayName + ")"
	}
	if e.Detail != "" {
		s += ": " + e.Detail
	}
	return s
}

func frameworksText(fw map[string][]string) string {
	var parts []string
	for _, name := range slices.Sorted(maps.Keys(fw)) {
		parts = append(parts, name+":"+strings.Join(fw[name], ","))
	}
	return strings.Join(parts, " ")
}
