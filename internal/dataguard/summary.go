package dataguard

import (
	"errors"
	"time"
)

// ErrPartial means the run finished but some items or resources could not
// be backed up. Every snapshot it committed is consistent; the failed items
// are listed in the Summary and in each snapshot's .state.json and are
// retried by the next run. The CLI exits with 3 for it.
var ErrPartial = errors.New("backup incomplete")

// Status is the outcome of one resource.
type Status string

// Resource outcomes.
const (
	StatusOK      Status = "ok"      // snapshot committed, nothing failed
	StatusPartial Status = "partial" // snapshot committed, some items or folders failed
	StatusFailed  Status = "failed"  // no snapshot: the resource could not be backed up
	StatusSkipped Status = "skipped" // nothing to back up: the user has no mailbox or no OneDrive
	// StatusCancelled: the run was cancelled before the resource's
	// snapshot was committed; the next run does its work again.
	StatusCancelled Status = "cancelled"
)

// Counts are the item counts and byte totals of a resource or a run.
// Items are messages, events (single instances and series masters),
// contacts, or drive items (files and folders, the root included). An item is counted once per run whatever happened to it in
// between: New (in this snapshot, not in the previous one), Deleted (the
// reverse), Changed (in both and rewritten: new content or new metadata),
// Unchanged (in both and carried over by reference, without a Graph read
// or an upload). Failed counts the items that could not be read this run.
type Counts struct {
	New       int64 `json:"new"`
	Changed   int64 `json:"changed"`
	Deleted   int64 `json:"deleted"`
	Unchanged int64 `json:"unchanged"`
	Failed    int64 `json:"failed"`
	// Downloaded counts the items whose content (MIME, file bytes) was
	// read from Graph; the others among New and Changed only had their
	// metadata written. For calendars it counts event attachments whose
	// content was read (events have no content of their own); contacts
	// have none.
	Downloaded int64 `json:"downloaded"`
	// BytesRead is the item content read from Graph (MIME, file and
	// attachment bytes; listings and event JSON not included).
	BytesRead int64 `json:"bytesRead"`
	// BytesWritten is what the snapshot writer streamed (content, JSON,
	// indexes, state), before deduplication and compression.
	BytesWritten int64 `json:"bytesWritten"`
	// BytesStored is what reached the repository: new, deduplicated,
	// compressed and encrypted data, directory manifests included.
	BytesStored int64 `json:"bytesStored"`
}

func (c *Counts) add(o Counts) {
	c.New += o.New
	c.Changed += o.Changed
	c.Deleted += o.Deleted
	c.Unchanged += o.Unchanged
	c.Failed += o.Failed
	c.Downloaded += o.Downloaded
	c.BytesRead += o.BytesRead
	c.BytesWritten += o.BytesWritten
	c.BytesStored += o.BytesStored
}

// ItemFailure is an item, or a whole container (ID empty), that a run
// could not back up.
type ItemFailure struct {
	Container string    `json:"container"`
	ID        string    `json:"id,omitempty"`
	Error     string    `json:"error"`
	Attempts  int       `json:"attempts"` // runs that tried and failed, this one included
	First     time.Time `json:"first"`
	Last      time.Time `json:"last"`
}

// ResourceSummary is the outcome of one resource.
type ResourceSummary struct {
	Resource
	Status Status `json:"status"`
	// Error explains a failed or skipped resource.
	Error string `json:"error,omitempty"`
	// Snapshot is the committed snapshot; Previous the one it continues.
	Snapshot string `json:"snapshot,omitempty"`
	Previous string `json:"previous,omitempty"`
	// Full is set when there was no usable previous snapshot.
	Full bool `json:"full,omitempty"`
	// Containers is the number of mail folders, calendars or contact
	// folders (1 for a drive); Resyncs
	// how many of them had an expired delta token and were enumerated
	// again.
	Containers int `json:"containers"`
	Resyncs    int `json:"resyncs,omitempty"`
	Counts
	// Failures lists the items and containers that failed this run, at
	// most maxSummaryFailures of them (.state.json keeps them all).
	Failures []ItemFailure `json:"failures,omitempty"`
	Start    time.Time     `json:"start"`
	Seconds  float64       `json:"seconds"`
}

// maxSummaryFailures caps ResourceSummary.Failures so that a mailbox with
// thousands of broken items does not make the summary huge.
const maxSummaryFailures = 100

// GraphCounts are the graph client's counters over the run. The client is
// shared by all resources, so these are totals only.
type GraphCounts struct {
	Requests  int64 `json:"requests"`  // HTTP requests sent, retries included
	Retries   int64 `json:"retries"`   // repeats of failed requests
	Throttled int64 `json:"throttled"` // 429 and 503 answers
	BytesDown int64 `json:"bytesDown"` // response bytes, listings included
}

// Summary is the outcome of a run. It marshals to JSON for the CLI's
// --json output.
type Summary struct {
	RunID     string            `json:"runId"`
	Tenant    string            `json:"tenant"`
	Start     time.Time         `json:"start"`
	End       time.Time         `json:"end"`
	Seconds   float64           `json:"seconds"`
	Total     Counts            `json:"total"`
	Graph     GraphCounts       `json:"graph"`
	Resources []ResourceSummary `json:"resources"`
	// FailedResources counts resources with StatusFailed.
	FailedResources int `json:"failedResources"`
}
