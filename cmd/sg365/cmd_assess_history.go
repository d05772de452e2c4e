package main

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/safeguard365/safeguard365/internal/posture"
	"github.com/safeguard365/safeguard365/internal/repo"
)

// historyUpdate is what one assessment did to the tenant's findings
// history.
type historyUpdate struct {
	tenantID string
	// skipped: the graded data is older than the last recorded
	// assessment, so merging it would move the history back in time.
	skipped bool
	reason  string
	saved   repo.SnapshotInfo
	// Counts after the merge.
	added, resolved, reopened, open, total int
}

// recordHistory merges rep into the tenant's findings history in r and
// stores the result with the report and the inventory. Findings are
// stamped with the time the data was collected, not the time of grading,
// so that assessing a stored snapshot says when a finding was last seen.
func recordHistory(ctx context.Context, r *repo.Repository, g GlobalOptions, rep *posture.Report, inv *posture.Inventory) (*historyUpdate, error) {
	u := &historyUpdate{tenantID: rep.Tenant.ID}
	if u.tenantID == "" {
		return nil, errors.New("record findings: the inventory names no tenant id")
	}
	prior, info, err := posture.LoadHistory(ctx, r, u.tenantID)
	if err != nil {
		return nil, err
	}
	seen := *rep
	if !rep.CollectedAt.IsZero() {
		seen.GeneratedAt = rep.CollectedAt
	}
	if last, err := time.Parse(time.RFC3339, info.Tags[posture.TagCollectedAt]); err == nil && seen.GeneratedAt.Before(last) {
		u.skipped = true
		u.reason = fmt.Sprintf("the data (%s) is older than the last recorded assessment (%s)",
			seen.GeneratedAt.UTC().Format(time.RFC3339), last.UTC().Format(time.RFC3339))
		g.Logger.Warn("findings history not updated", "reason", u.reason)
		u.count(prior, prior, time.Time{})
		return u, nil
	}
	next := posture.MergeHistory(prior, &seen)
	u.count(prior, next, seen.GeneratedAt)
	if u.saved, err = posture.SaveHistory(ctx, r, next, rep, inv); err != nil {
		return nil, err
	}
	return u, nil
}

// count fills the counts from the history before and after a merge at now.
func (u *historyUpdate) count(prior, next posture.History, now time.Time) {
	before := map[string]posture.Finding{}
	for _, f := range prior.Findings {
		before[f.ID] = f
	}
	u.total = len(next.Findings)
	for _, f := range next.Findings {
		old, known := before[f.ID]
		switch {
		case !known:
			u.added++
		case f.Status == posture.FindingResolved && old.Status == posture.FindingOpen:
			u.resolved++
		case f.Status == posture.FindingOpen && old.Status == posture.FindingResolved:
			u.reopened++
		}
		if f.Status == posture.FindingOpen {
			u.open++
		}
	}
}

// historyJSON reports the update in --json output.
type historyJSON struct {
	MessageType string          `json:"message_type"` // "history"
	TenantID    string          `json:"tenant_id"`
	SnapshotID  repo.SnapshotID `json:"snapshot_id,omitempty"`
	Skipped     string          `json:"skipped,omitempty"`
	New         int             `json:"new"`
	Resolved    int             `json:"resolved"`
	Reopened    int             `json:"reopened"`
	Open        int             `json:"open"`
	Total       int             `json:"total"`
}

func (u *historyUpdate) json() historyJSON {
	return historyJSON{"history", u.tenantID, u.saved.ID, u.reason, u.added, u.resolved, u.reopened, u.open, u.total}
}

func (u *historyUpdate) line() string {
	if u.skipped {
		return "findings history not updated: " + u.reason
	}
	return fmt.Sprintf("findings history: %d new, %d resolved, %d reopened; %d open of %d (snapshot %s)",
		u.added, u.resolved, u.reopened, u.open, u.total, shortID(u.saved.ID))
}

// findingJSON is one finding in "assess --history --json" output.
type findingJSON struct {
	MessageType string `json:"message_type"` // "finding"
	posture.Finding
}

// historySummaryJSON ends "assess --history --json" output.
type historySummaryJSON struct {
	MessageType string          `json:"message_type"` // "summary"
	TenantID    string          `json:"tenant_id"`
	SnapshotID  repo.SnapshotID `json:"snapshot_id"`
	Open        int             `json:"open"`
	Resolved    int             `json:"resolved"`
}

// runAssessHistory lists the findings history of one tenant.
func runAssessHistory(ctx context.Context, opts AssessOptions, g GlobalOptions) error {
	r, _, err := openRepo(ctx, opts.Repo, g)
	if err != nil {
		return err
	}
	defer r.Close(ctx)
	tenantID, err := historyTenant(ctx, r, opts.TenantID)
	if err != nil {
		return err
	}
	h, info, err := posture.LoadHistory(ctx, r, tenantID)
	if err != nil {
		return err
	}
	if info.ID == "" {
		return fmt.Errorf("no findings recorded for tenant %s; run 'sg365 assess' first", tenantID)
	}
	var shown []posture.Finding
	open, resolved := 0, 0
	for _, f := range h.Findings {
		if f.Status == posture.FindingOpen {
			open++
		} else {
			resolved++
		}
		if (opts.Open && f.Status != posture.FindingOpen) || (opts.Resolved && f.Status != posture.FindingResolved) {
			continue
		}
		shown = append(shown, f)
	}
	// Worst first, then by rule and object, so related findings sit together.
	slices.SortStableFunc(shown, func(a, b posture.Finding) int {
		if d := b.Severity.Rank() - a.Severity.Rank(); d != 0 {
			return d
		}
		if a.RuleID != b.RuleID {
			return strings.Compare(a.RuleID, b.RuleID)
		}
		return strings.Compare(a.Object.ID, b.Object.ID)
	})
	if g.JSON {
		for _, f := range shown {
			if err := g.printJSON(findingJSON{"finding", f}); err != nil {
				return err
			}
		}
		return g.printJSON(historySummaryJSON{"summary", tenantID, info.ID, open, resolved})
	}
	tw := tabwriter.NewWriter(g.Stdout, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "FINDING\tRULE\tSEVERITY\tSTATUS\tFIRST SEEN\tLAST SEEN\tRESOLVED\tOBJECT")
	for _, f := range shown {
		resolvedAt := "-"
		if f.ResolvedAt != nil {
			resolvedAt = stamp(*f.ResolvedAt)
		}
		obj := f.Object.Type + " " + f.Object.ID
		if f.Object.DisplayName != "" {
			obj = fmt.Sprintf("%s %q", f.Object.Type, f.Object.DisplayName)
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n", f.ID[:12], f.RuleID, f.Severity, f.Status,
			stamp(f.FirstSeen), stamp(f.LastSeen), resolvedAt, obj)
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	_, err = fmt.Fprintf(g.Stdout, "tenant %s: %d open, %d resolved findings (as of %s, snapshot %s)\n",
		tenantID, open, resolved, stamp(info.StartTime), shortID(info.ID))
	return err
}

func stamp(t time.Time) string { return t.UTC().Format("2006-01-02 15:04:05") }

// historyTenant returns tenantID, or else the only tenant with recorded
// findings.
func historyTenant(ctx context.Context, r *repo.Repository, tenantID string) (string, error) {
	if tenantID != "" {
		return tenantID, nil
	}
	all, err := r.Snapshots(ctx, repo.Filter{Workload: posture.Workload})
	if err != nil {
		return "", err
	}
	tenants := map[string]bool{}
	for _, s := range all {
		tenants[s.Source.Tenant] = true
	}
	switch len(tenants) {
	case 0:
		return "", errors.New("no findings recorded in the repository; run 'sg365 assess' first")
	case 1:
		for t := range tenants {
			return t, nil
		}
	}
	return "", fmt.Errorf("the repository holds findings of %d tenants; choose one with --tenant-id", len(tenants))
}
