package audit

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
	Workload      = "audit"
	auditResource = "response-actions"
	auditFile     = "entry.json"
)

// Entry is one executed or attempted response action.
type Entry struct {
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

// logRepo is what the audit log needs of the repository.
type logRepo interface {
	NewSnapshot(ctx context.Context, src repo.Source, opts repo.SnapshotOptions) (*repo.SnapshotWriter, error)
	Snapshots(ctx context.Context, f repo.Filter) ([]repo.SnapshotInfo, error)
	OpenFile(ctx context.Context, id repo.SnapshotID, p string) (io.ReadSeekCloser, error)
}

var _ logRepo = (*repo.Repository)(nil)

// Append writes e as a new snapshot of the tenant's audit log.
func Append(ctx context.Context, r logRepo, e Entry) error {
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
	src := repo.Source{Tenant: e.Tenant, Workload: Workload,
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

// Read returns the audit entries of tenantID ("" for every tenant),
// oldest first.
func Read(ctx context.Context, r logRepo, tenantID string) ([]Entry, error) {
	snaps, err := r.Snapshots(ctx, repo.Filter{Tenant: tenantID, Workload: Workload})
	if err != nil {
		return nil, fmt.Errorf("audit: %w", err)
	}
	out := make([]Entry, 0, len(snaps))
	for _, s := range snaps {
		if !strings.HasPrefix(s.Source.Resource, auditResource+"/") {
			continue
		}
		f, err := r.OpenFile(ctx, s.ID, auditFile)
		if err != nil {
			return nil, fmt.Errorf("audit entry %s: %w", s.ID, err)
		}
		var e Entry
		err = json.NewDecoder(io.LimitReader(f, 1<<20)).Decode(&e)
		f.Close()
		if err != nil {
			return nil, fmt.Errorf("audit entry %s: %w", s.ID, err)
		}
		e.Snapshot = string(s.ID)
		out = append(out, e)
	}
	slices.SortStableFunc(out, func(a, b Entry) int { return a.Time.Compare(b.Time) })
	return out, nil
}
