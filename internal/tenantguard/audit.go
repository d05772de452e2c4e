package tenantguard

import (
	"context"
	"fmt"
	"time"

	"github.com/safeguard365/safeguard365/internal/repo"
)

// AuditWorkload is the repo.Source workload of restore audit records: one
// snapshot per applied restore, source {Tenant: target tenant, Workload:
// AuditWorkload, Resource: target tenant}, holding audit.json.
const AuditWorkload = "tenant-config-audit"

// Actor says who ran a restore.
type Actor struct {
	User string `json:"user"` // OS user
	Host string `json:"host"`
}

// AuditRecord is the audit.json of a restore: who applied which snapshot
// to which tenant, with which scope, and every Graph call with its result.
type AuditRecord struct {
	Format         int             `json:"format"`
	Started        time.Time       `json:"started"`
	Finished       time.Time       `json:"finished"`
	By             Actor           `json:"by"`
	Snapshot       repo.SnapshotID `json:"snapshot"`
	SnapshotTenant string          `json:"snapshotTenant"`
	TenantID       string          `json:"tenantId"`
	Scope          AuditScope      `json:"scope"`
	Mappings       []Mapping       `json:"mappings,omitempty"`
	Applied        int             `json:"applied"`
	Failed         int             `json:"failed"`
	Steps          []Step          `json:"steps"`
	Calls          []Call          `json:"calls"`
}

// AuditScope is the restore's scope as given.
type AuditScope struct {
	Kinds           []string `json:"kinds,omitempty"` // empty: all
	IDs             []string `json:"ids,omitempty"`   // empty: all
	Prune           bool     `json:"prune"`
	AllowPrivileged bool     `json:"allowPrivileged"`
}

// NewAuditRecord describes an applied plan.
func NewAuditRecord(p *RestorePlan, res *ApplyResult, by Actor, started, finished time.Time) AuditRecord {
	o := p.Options
	rec := AuditRecord{Format: 1, Started: started.UTC(), Finished: finished.UTC(), By: by,
		Snapshot: p.SnapshotID, SnapshotTenant: p.SnapshotTenant, TenantID: p.TenantID,
		Scope:    AuditScope{Kinds: o.Kinds, IDs: o.IDs, Prune: o.Prune, AllowPrivileged: o.AllowPrivileged},
		Mappings: p.Mappings, Applied: res.Applied, Failed: res.Failed, Calls: res.Calls}
	for _, st := range res.Steps { // the record keeps what was written or failed
		if st.Result != "" {
			rec.Steps = append(rec.Steps, st)
		}
	}
	if rec.Calls == nil {
		rec.Calls = []Call{}
	}
	return rec
}

// SaveAudit stores rec in r as its own snapshot and returns it.
func SaveAudit(ctx context.Context, r *repo.Repository, rec AuditRecord) (repo.SnapshotInfo, error) {
	src := repo.Source{Tenant: rec.TenantID, Workload: AuditWorkload, Resource: rec.TenantID}
	b, err := encode(rec)
	if err != nil {
		return repo.SnapshotInfo{}, err
	}
	w, err := r.NewSnapshot(ctx, src, repo.SnapshotOptions{
		Tags: map[string]string{repo.TagResourceName: "tenant configuration restore", "restored-snapshot": string(rec.Snapshot)},
		Description: fmt.Sprintf("restore of %s by %s@%s: %d applied, %d failed",
			rec.Snapshot, rec.By.User, rec.By.Host, rec.Applied, rec.Failed)})
	if err != nil {
		return repo.SnapshotInfo{}, fmt.Errorf("tenantguard: audit: %w", err)
	}
	if err := w.WriteFile(ctx, "audit.json", bytesReader(b), rec.Finished); err != nil {
		w.Abort()
		return repo.SnapshotInfo{}, fmt.Errorf("tenantguard: audit: %w", err)
	}
	info, err := w.Commit(ctx)
	if err != nil {
		return info, fmt.Errorf("tenantguard: audit: %w", err)
	}
	return info, nil
}
