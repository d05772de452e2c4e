package catalog

import (
	"time"

	"github.com/safeguard365/safeguard365/internal/repo"
)

// SnapshotStat is the outcome of indexing one snapshot.
type SnapshotStat struct {
	ID       repo.SnapshotID `json:"id"`
	Workload string          `json:"workload"`
	User     string          `json:"user"`
	Items    int64           `json:"items"`  // items the snapshot holds
	Read     int64           `json:"read"`   // items read from the repository (new or changed)
	Reused   int64           `json:"reused"` // items whose indexed version still applied
	// ItemErrors counts items that could not be read completely; they are
	// indexed with what the listing knew and read again next time.
	ItemErrors int64         `json:"itemErrors"`
	FirstError string        `json:"firstError,omitempty"`
	Skipped    string        `json:"skipped,omitempty"` // why the snapshot was not indexed (not DataGuard's)
	Error      string        `json:"error,omitempty"`   // why indexing it failed; nothing of it was stored
	Duration   time.Duration `json:"duration"`
}

// Reporter receives indexing progress. Methods may be called from the
// goroutine running Index only, and must not block for long.
type Reporter interface {
	// SnapshotDone is called after each snapshot, indexed, skipped or
	// failed.
	SnapshotDone(SnapshotStat)
}

// NopReporter reports nothing.
type NopReporter struct{}

// SnapshotDone does nothing.
func (NopReporter) SnapshotDone(SnapshotStat) {}
