package posture

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"strconv"
	"time"

	"github.com/safeguard365/safeguard365/internal/repo"
)

// Workload is the repo.Source workload of assessment snapshots.
const Workload = "posture"

// Files of an assessment snapshot.
const (
	HistoryFile   = "history.json"   // History after this assessment
	ReportFile    = "report.json"    // the Report (WriteJSON)
	InventoryFile = "inventory.json" // the Inventory graded, when stored
)

// Tags of an assessment snapshot, beside repo's own.
const (
	TagScore        = "posture-score"         // Summary.Score
	TagOpenFindings = "posture-open-findings" // open findings in the history
	TagCollectedAt  = "posture-collected-at"  // Report.CollectedAt (RFC 3339): when the graded data was read
)

// historyFormat is the version of history.json.
const historyFormat = 1

// historyFile is the stored form of a History.
type historyFile struct {
	Format int `json:"format"`
	History
}

// maxStoredFile bounds a file read back from an assessment snapshot.
const maxStoredFile = 512 << 20

// SaveHistory stores one assessment as a new snapshot of the source
// {h.TenantID, Workload, h.TenantID}: the merged history h, the report rep
// and, when inv is not nil, the inventory graded, so that a finding can be
// traced to the data that raised it. Snapshots are immutable; the newest
// one holds the current history (see LoadHistory) and older ones are
// expired by the repository's retention like any other.
func SaveHistory(ctx context.Context, r *repo.Repository, h History, rep *Report, inv *Inventory) (repo.SnapshotInfo, error) {
	if h.TenantID == "" {
		return repo.SnapshotInfo{}, fmt.Errorf("posture: save history: no tenant id")
	}
	open := 0
	for _, f := range h.Findings {
		if f.Status == FindingOpen {
			open++
		}
	}
	tags := map[string]string{repo.TagResourceName: "security posture", TagOpenFindings: strconv.Itoa(open)}
	desc := fmt.Sprintf("posture: %d findings, %d open", len(h.Findings), open)
	if rep != nil {
		tags[TagScore] = strconv.Itoa(rep.Summary.Score)
		tags[TagCollectedAt] = rep.CollectedAt.UTC().Format(time.RFC3339Nano)
		desc += fmt.Sprintf(", score %d%%", rep.Summary.Score)
	}
	w, err := r.NewSnapshot(ctx, repo.Source{Tenant: h.TenantID, Workload: Workload, Resource: h.TenantID},
		repo.SnapshotOptions{Tags: tags, Description: desc})
	if err != nil {
		return repo.SnapshotInfo{}, fmt.Errorf("posture: save history: %w", err)
	}
	mtime := time.Now()
	if rep != nil && !rep.GeneratedAt.IsZero() {
		mtime = rep.GeneratedAt
	}
	type file struct {
		name  string
		write func(io.Writer) error
	}
	files := []file{{HistoryFile, func(wr io.Writer) error { return encodeIndented(wr, historyFile{historyFormat, h}) }}}
	if rep != nil {
		files = append(files, file{ReportFile, func(wr io.Writer) error { return WriteJSON(wr, rep) }})
	}
	if inv != nil {
		files = append(files, file{InventoryFile, func(wr io.Writer) error { return encodeIndented(wr, inv) }})
	}
	for _, f := range files {
		var buf bytes.Buffer
		if err := f.write(&buf); err != nil {
			w.Abort()
			return repo.SnapshotInfo{}, fmt.Errorf("posture: save %s: %w", f.name, err)
		}
		if err := w.WriteFile(ctx, f.name, &buf, mtime); err != nil {
			w.Abort()
			return repo.SnapshotInfo{}, fmt.Errorf("posture: save %s: %w", f.name, err)
		}
	}
	info, err := w.Commit(ctx)
	if err != nil {
		return repo.SnapshotInfo{}, fmt.Errorf("posture: save history: %w", err)
	}
	return info, nil
}

func encodeIndented(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}

// LoadHistory returns the tenant's current findings history: the one in its
// newest assessment snapshot, or an empty History (and a zero info) when
// the tenant was never assessed against r.
func LoadHistory(ctx context.Context, r *repo.Repository, tenantID string) (History, repo.SnapshotInfo, error) {
	info, ok, err := r.Latest(ctx, repo.Source{Tenant: tenantID, Workload: Workload, Resource: tenantID})
	if err != nil {
		return History{}, info, fmt.Errorf("posture: load history: %w", err)
	}
	if !ok {
		return History{TenantID: tenantID}, info, nil
	}
	h, err := ReadHistory(ctx, r, info.ID)
	return h, info, err
}

// ReadHistory reads the history stored in assessment snapshot id.
func ReadHistory(ctx context.Context, r *repo.Repository, id repo.SnapshotID) (History, error) {
	b, err := readStored(ctx, r, id, HistoryFile)
	if err != nil {
		return History{}, err
	}
	var hf historyFile
	if err := json.Unmarshal(b, &hf); err != nil {
		return History{}, fmt.Errorf("posture: snapshot %s: %s: %w", id, HistoryFile, err)
	}
	if hf.Format != historyFormat {
		return History{}, fmt.Errorf("posture: snapshot %s: %s format %d, this build reads %d", id, HistoryFile, hf.Format, historyFormat)
	}
	return hf.History, nil
}

// ReadStoredInventory reads the inventory stored in assessment snapshot
// id, for grading it again offline.
func ReadStoredInventory(ctx context.Context, r *repo.Repository, id repo.SnapshotID) (*Inventory, error) {
	b, err := readStored(ctx, r, id, InventoryFile)
	if err != nil {
		return nil, err
	}
	inv, err := ParseInventory(b)
	if err != nil {
		return nil, fmt.Errorf("posture: snapshot %s: %w", id, err)
	}
	return inv, nil
}

func readStored(ctx context.Context, r *repo.Repository, id repo.SnapshotID, name string) ([]byte, error) {
	f, err := r.OpenFile(ctx, id, name)
	if err != nil {
		return nil, fmt.Errorf("posture: snapshot %s: %w", id, err)
	}
	defer f.Close()
	b, err := io.ReadAll(io.LimitReader(f, maxStoredFile+1))
	if err != nil {
		return nil, fmt.Errorf("posture: snapshot %s: %s: %w", id, name, err)
	}
	if len(b) > maxStoredFile {
		return nil, fmt.Errorf("posture: snapshot %s: %s larger than %d MiB", id, name, maxStoredFile>>20)
	}
	return b, nil
}
