package tenantguard

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"time"

	"github.com/safeguard365/safeguard365/internal/repo"
)

// PinWorkload is the repo.Source workload of pin records. Each pin or
// clear writes one snapshot of source {Tenant, PinWorkload, Tenant}; the
// latest says which configuration snapshot is the tenant's golden
// baseline. A pin record holds pin.json and a copy of the pinned
// snapshot's files (deduplicated, so it costs a directory tree): the
// baseline survives 'sg365 forget' of the original, and every retention
// rule keeps the latest snapshot of each source.
const PinWorkload = "tenant-config-pin"

// PinInfo is a pin record (pin.json).
type PinInfo struct {
	Snapshot repo.SnapshotID `json:"snapshot,omitempty"` // the pinned configuration snapshot; empty once cleared
	TenantID string          `json:"tenantId"`
	Time     time.Time       `json:"time"` // when it was pinned or cleared
	By       Actor           `json:"by"`
	Cleared  bool            `json:"cleared,omitempty"`
	Record   repo.SnapshotID `json:"-"` // the pin record's own snapshot
}

// Pin marks configuration snapshot id as its tenant's baseline.
func Pin(ctx context.Context, r *repo.Repository, id repo.SnapshotID, by Actor, now time.Time) (PinInfo, error) {
	s, err := Load(ctx, r, id)
	if err != nil {
		return PinInfo{}, err
	}
	info := PinInfo{Snapshot: id, TenantID: s.TenantID, Time: now.UTC(), By: by}
	return info, writePin(ctx, r, &info, func(w *repo.SnapshotWriter) error {
		var files []string
		err := r.Walk(ctx, id, func(e repo.Entry) error {
			if e.Type == repo.TypeFile {
				files = append(files, e.Path)
			}
			return nil
		})
		if err != nil {
			return err
		}
		for _, p := range files {
			f, err := r.OpenFile(ctx, id, p)
			if err != nil {
				return err
			}
			err = w.WriteFile(ctx, p, f, s.Started)
			f.Close()
			if err != nil {
				return err
			}
		}
		return nil
	})
}

// ClearPin records that the tenant has no baseline any more.
func ClearPin(ctx context.Context, r *repo.Repository, tenantID string, by Actor, now time.Time) (PinInfo, error) {
	info := PinInfo{TenantID: tenantID, Time: now.UTC(), By: by, Cleared: true}
	return info, writePin(ctx, r, &info, nil)
}

func writePin(ctx context.Context, r *repo.Repository, info *PinInfo, files func(*repo.SnapshotWriter) error) error {
	desc := "pin of configuration snapshot " + string(info.Snapshot)
	if info.Cleared {
		desc = "configuration pin cleared"
	}
	w, err := r.NewSnapshot(ctx, repo.Source{Tenant: info.TenantID, Workload: PinWorkload, Resource: info.TenantID},
		repo.SnapshotOptions{Tags: map[string]string{repo.TagResourceName: "tenant configuration pin"}, Description: desc})
	if err != nil {
		return fmt.Errorf("tenantguard: pin: %w", err)
	}
	b, err := encode(info)
	if err == nil && files != nil {
		err = files(w)
	}
	if err == nil {
		err = w.WriteFile(ctx, "pin.json", bytesReader(b), info.Time)
	}
	if err != nil {
		w.Abort()
		return fmt.Errorf("tenantguard: pin: %w", err)
	}
	ci, err := w.Commit(ctx)
	if err != nil {
		return fmt.Errorf("tenantguard: pin: %w", err)
	}
	info.Record = ci.ID
	return nil
}

// Pinned returns the tenant's latest pin record; ok is false when there is
// none or it was cleared (info then describes the clearing, if any).
func Pinned(ctx context.Context, r *repo.Repository, tenantID string) (info PinInfo, ok bool, err error) {
	latest, found, err := r.Latest(ctx, repo.Source{Tenant: tenantID, Workload: PinWorkload, Resource: tenantID})
	if err != nil || !found {
		return PinInfo{}, false, err
	}
	f, err := r.OpenFile(ctx, latest.ID, "pin.json")
	if err != nil {
		return PinInfo{}, false, fmt.Errorf("tenantguard: pin record %s: %w", latest.ID, err)
	}
	defer f.Close()
	b, err := io.ReadAll(io.LimitReader(f, 1<<20))
	if err != nil {
		return PinInfo{}, false, err
	}
	if err := json.Unmarshal(b, &info); err != nil {
		return PinInfo{}, false, fmt.Errorf("tenantguard: pin record %s: %w", latest.ID, err)
	}
	info.Record = latest.ID
	return info, !info.Cleared && info.Snapshot != "", nil
}

// LoadPinned reads the pinned configuration from its pin record's copy,
// with the original snapshot's id.
func LoadPinned(ctx context.Context, r *repo.Repository, info PinInfo) (*State, error) {
	s, err := Load(ctx, r, info.Record)
	if err != nil {
		return nil, err
	}
	s.ID = info.Snapshot
	return s, nil
}
