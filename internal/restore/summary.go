package restore

import (
	"errors"
	"time"
)

// ErrPartial means the restore finished but some items or resources could
// not be restored; they are listed in the Summary. Running the same restore
// again restores them and skips what is already there. The CLI exits with
// 3 for it.
var ErrPartial = errors.New("restore incomplete")

// Status is the outcome of one resource.
type Status string

// Resource outcomes.
const (
	StatusOK      Status = "ok"      // every selected item restored or skipped
	StatusPartial Status = "partial" // some items failed
	StatusFailed  Status = "failed"  // nothing could be done (target missing, …)
	// StatusCancelled: the run was cancelled while the resource was being
	// restored; what was restored stays, a rerun completes it.
	StatusCancelled Status = "cancelled"
)

// Action is what a restore did (or, in a dry run, would do) with an item.
type Action string

// Actions reported by Reporter.ItemDone.
const (
	ActionCreated  Action = "created"  // restored where nothing was
	ActionCopied   Action = "copied"   // restored beside an existing item (CollisionCopy)
	ActionReplaced Action = "replaced" // restored in place of an existing item
	ActionSkipped  Action = "skipped"  // an item was there; left alone (CollisionSkip)
	// ActionUnchanged: replace found the same content (same hash and size)
	// already there; only its metadata was set.
	ActionUnchanged Action = "unchanged"
)

// Counts are the item counts of a resource or a run. In a dry run they
// count what the run would do.
type Counts struct {
	// FoldersCreated counts mail folders, calendars, contact folders and
	// drive folders created.
	FoldersCreated int64 `json:"foldersCreated"`
	Created        int64 `json:"created"`
	Copied         int64 `json:"copied"`
	Replaced       int64 `json:"replaced"`
	Skipped        int64 `json:"skipped"`
	Unchanged      int64 `json:"unchanged"`
	Failed         int64 `json:"failed"`
	// Bytes is the item content written to Graph (MIME sizes of messages,
	// event attachments, file bytes); in a dry run, what would be.
	Bytes int64 `json:"bytes"`
	// Sharing of OneDrive items (Request.Permissions): direct grants
	// invited again, grants found already in place, sharing links created
	// anew (with new URLs), and stored permissions not restored (links
	// unless PermissionsAll, everything for another user's drive, expired
	// grants).
	Granted        int64 `json:"granted,omitempty"`
	GrantsPresent  int64 `json:"grantsPresent,omitempty"`
	LinksCreated   int64 `json:"linksCreated,omitempty"`
	SharingSkipped int64 `json:"sharingSkipped,omitempty"`
}

func (c *Counts) add(o Counts) {
	c.FoldersCreated += o.FoldersCreated
	c.Created += o.Created
	c.Copied += o.Copied
	c.Replaced += o.Replaced
	c.Skipped += o.Skipped
	c.Unchanged += o.Unchanged
	c.Failed += o.Failed
	c.Bytes += o.Bytes
	c.Granted += o.Granted
	c.GrantsPresent += o.GrantsPresent
	c.LinksCreated += o.LinksCreated
	c.SharingSkipped += o.SharingSkipped
}

func (c *Counts) count(a Action, bytes int64) {
	switch a {
	case ActionCreated:
		c.Created++
	case ActionCopied:
		c.Copied++
	case ActionReplaced:
		c.Replaced++
	case ActionSkipped:
		c.Skipped++
	case ActionUnchanged:
		c.Unchanged++
	}
	c.Bytes += bytes
}

// ItemFailure is an item (or a folder) that could not be restored.
type ItemFailure struct {
	// Path is the item's path in the snapshot (folder path and subject
	// for mail, the file path for drives).
	Path  string `json:"path"`
	ID    string `json:"id"`
	Error string `json:"error"`
}

// Resource names the source of one restore: a snapshot of a user's mail,
// calendars, contacts or OneDrive.
type Resource struct {
	Workload string `json:"workload"` // dataguard.WorkloadMail, WorkloadCalendar, WorkloadContacts or WorkloadOneDrive
	Snapshot string `json:"snapshot"`
	UserID   string `json:"userId"`   // the snapshot's user
	UserName string `json:"userName"` // that user's principal name at backup time
}

// ItemRef names one item of a restore.
type ItemRef struct {
	Resource Resource `json:"resource"`
	ID       string   `json:"id"`   // the item's Graph id in the snapshot
	Path     string   `json:"path"` // its path in the snapshot
}

// ResourceSummary is the outcome of one snapshot's restore; with the
// Summary it is meant to be written to an audit log as it is.
type ResourceSummary struct {
	Resource
	// SnapshotTime is when the snapshot's backup started.
	SnapshotTime time.Time `json:"snapshotTime"`
	// TargetID and TargetName are the user written to.
	TargetID   string `json:"targetId"`
	TargetName string `json:"targetName,omitempty"`
	// Destination is the folder the snapshot's tree was recreated under
	// ("" for the mailbox or drive root).
	Destination string `json:"destination,omitempty"`
	Status      Status `json:"status"`
	Error       string `json:"error,omitempty"`
	// Selected is the number of items (messages, events, contacts,
	// files) the request selected.
	Selected int64 `json:"selected"`
	// NotInSnapshot counts the items the backup could not read: they are
	// missing from the snapshot (or present as of an earlier backup), so
	// a restore cannot bring them back as they were then.
	NotInSnapshot int `json:"notInSnapshot,omitempty"`
	Counts
	// Failures lists the items that failed, at most maxFailures of them.
	Failures []ItemFailure `json:"failures,omitempty"`
	Start    time.Time     `json:"start"`
	Seconds  float64       `json:"seconds"`
}

// maxFailures caps ResourceSummary.Failures.
const maxFailures = 200

// GraphCounts are the graph client's counters over the run (the client may
// be shared, so these are totals over everything it did meanwhile).
type GraphCounts struct {
	Requests  int64 `json:"requests"`
	Retries   int64 `json:"retries"`
	Throttled int64 `json:"throttled"`
	BytesUp   int64 `json:"bytesUp"`
}

// Summary is the outcome of a restore or a plan.
type Summary struct {
	RunID     string            `json:"runId"`
	DryRun    bool              `json:"dryRun"`
	Target    string            `json:"target"` // "original" or "user:UPN"
	Collision Collision         `json:"collision"`
	Folder    string            `json:"folder,omitempty"`
	Paths     []string          `json:"paths,omitempty"`
	Items     []string          `json:"items,omitempty"`
	Start     time.Time         `json:"start"`
	End       time.Time         `json:"end"`
	Seconds   float64           `json:"seconds"`
	Total     Counts            `json:"total"`
	Graph     GraphCounts       `json:"graph"`
	Resources []ResourceSummary `json:"resources"`

	// Permissions is which OneDrive sharing the restore brought back.
	Permissions Permissions `json:"permissions,omitempty"`
}

// Reporter receives a restore's progress events. The engine calls it from
// many goroutines at once: methods must be safe for concurrent use and must
// not block. Embed NopReporter to implement only some.
type Reporter interface {
	// ResourceStarted is called when a snapshot's restore begins.
	ResourceStarted(res Resource)
	// ResourceDone is called once per snapshot with its summary.
	ResourceDone(sum ResourceSummary)
	// ItemDone is called after an item was restored or skipped, with the
	// content bytes written for it.
	ItemDone(ref ItemRef, action Action, bytes int64)
	// ItemFailed is called for an item that could not be restored after
	// retries; the run goes on.
	ItemFailed(ref ItemRef, err error)
}

// NopReporter ignores every event.
type NopReporter struct{}

func (NopReporter) ResourceStarted(Resource)        {}
func (NopReporter) ResourceDone(ResourceSummary)    {}
func (NopReporter) ItemDone(ItemRef, Action, int64) {}
func (NopReporter) ItemFailed(ItemRef, error)       {}

var _ Reporter = NopReporter{}
