package deviceguard

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"os/user"
	"slices"
	"strings"
	"time"

	"github.com/safeguard365/safeguard365/internal/repo"
)

// The audit log lives in the repository: one snapshot per entry, holding a
// single file, entry.json, under the source (tenant id, workload "audit",
// resource "response-actions/<time>-<random>"). Appending commits a new
// snapshot and never rewrites an old one, so the log is append-only through
// our API; the repository's encryption and object lock (when the storage
// has it) protect it like any backup. Each entry is its own source so that
// a retention policy, which keeps the newest snapshots of every source,
// keeps every entry. Tags repeat the action, target and result so `kopia
// snapshot list` and Filter can find entries without reading them.
const (
	AuditWorkload = "audit"
	auditResource = "response-actions"
	auditFile     = "entry.json"
)

// AuditEntry is one executed or attempted response action.
type AuditEntry struct {
	Time       time.Time      `json:"time"`
	Actor      string         `json:"actor"` // OS user@host that ran sg365
	Tenant     string         `json:"tenant"`
	Action     string         `json:"action"`
	Target     Target         `json:"target"`
	Call       string         `json:"call"` // METHOD URL, as planned
	Parameters map[string]any `json:"parameters,omitempty"`
	Result     string         `json:"result"` // "succeeded" or "failed"
	Detail     string         `json:"detail,omitempty"`
	Error      string         `json:"error,omitempty"`

	Snapshot string `json:"snapshot,omitempty"` // repository snapshot holding the entry; set when read
}

// NewAuditEntry fills an entry for plan's outcome. err is the action's
// error, if any.
func NewAuditEntry(now time.Time, actor, tenantID string, plan *Plan, out Outcome, err error) AuditEntry {
	e := AuditEntry{Time: now.UTC(), Actor: actor, Tenant: tenantID, Action: plan.Action, Target: plan.Target,
		Call: plan.Call(), Parameters: plan.Body, Result: out.Result, Detail: out.Detail}
	if err != nil {
		e.Result, e.Error = "failed", err.Error()
	}
	return e
}

// Actor names who runs this process: "user@host".
func Actor() string {
	name := "unknown"
	if u, err := user.Current(); err == nil && u.Username != "" {
		name = u.Username
	}
	host, err := os.Hostname()
	if err != nil || host == "" {
		host = "unknown-host"
	}
	return name + "@" + host
}

// auditRepo is what the audit log needs of the repository.
type auditRepo interface {
	NewSnapshot(ctx context.Context, src repo.Source, opts repo.SnapshotOptions) (*repo.SnapshotWriter, error)
	Snapshots(ctx context.Context, f repo.Filter) ([]repo.SnapshotInfo, error)
	OpenFile(ctx context.Context, id repo.SnapshotID, p string) (io.ReadSeekCloser, error)
}

var _ auditRepo = (*repo.Repository)(nil)

// AppendAudit writes e as a new snapshot of the tenant's audit log.
func AppendAudit(ctx context.Context, r auditRepo, e AuditEntry) error {
	if e.Tenant == "" {
		return fmt.Errorf("audit: entry has no tenant")
	}
	e.Snapshot = ""
	b, err := json.MarshalIndent(e, "", "  ")
	if err != nil {
		return fmt.Errorf("audit: %w", err)
	}
	var rnd [4]byte
	if _, err := rand.Read(rnd[:]); err != nil {
		return fmt.Errorf("audit: %w", err)
	}
	src := repo.Source{Tenant: e.Tenant, Workload: AuditWorkload,
		Resource: fmt.Sprintf("%s/%s-%x", auditResource, e.Time.UTC().Format("20060102T150405.000000000Z"), rnd)}
	w, err := r.NewSnapshot(ctx, src, repo.SnapshotOptions{
		Tags: map[string]string{"audit-action": e.Action, "audit-target": e.Target.Name(), "audit-result": e.Result,
			"audit-actor": e.Actor},
		Description: fmt.Sprintf("%s %s: %s", e.Action, e.Target.Name(), e.Result),
	})
	if err != nil {
		return fmt.Errorf("audit: %w", err)
	}
	if err := w.WriteFile(ctx, auditFile, bytes.NewReader(b), e.Time); err != nil {
		w.Abort()
		return fmt.Errorf("audit: %w", err)
	}
	if _, err := w.Commit(ctx); err != nil {
		return fmt.Errorf("audit: %w", err)
	}
	return nil
}

// ReadAudit returns the audit entries of tenantID ("" for every tenant),
// oldest first.
func ReadAudit(ctx context.Context, r auditRepo, tenantID string) ([]AuditEntry, error) {
	snaps, err := r.Snapshots(ctx, repo.Filter{Tenant: tenantID, Workload: AuditWorkload})
	if err != nil {
		return nil, fmt.Errorf("audit: %w", err)
	}
	out := make([]AuditEntry, 0, len(snaps))
	for _, s := range snaps {
		if !strings.HasPrefix(s.Source.Resource, auditResource+"/") {
			continue
		}
		f, err := r.OpenFile(ctx, s.ID, auditFile)
		if err != nil {
			return nil, fmt.Errorf("audit entry %s: %w", s.ID, err)
		}
		var e AuditEntry
		err = json.NewDecoder(io.LimitReader(f, 1<<20)).Decode(&e)
		f.Close()
		if err != nil {
			return nil, fmt.Errorf("audit entry %s: %w", s.ID, err)
		}
		e.Snapshot = string(s.ID)
		out = append(out, e)
	}
	slices.SortStableFunc(out, func(a, b AuditEntry) int { return a.Time.Compare(b.Time) })
	return out, nil
}
