package dataguard

// Resource names one protected resource of a run: a user's mailbox or
// OneDrive.
type Resource struct {
	Workload string `json:"workload"` // WorkloadMail or WorkloadOneDrive
	ID       string `json:"id"`       // the user's Graph id
	Name     string `json:"name"`     // the user's principal name
}

// ItemRef names one item of a resource: a message in a mail folder or an
// item of a drive.
type ItemRef struct {
	Resource  Resource `json:"resource"`
	Container string   `json:"container"` // mail folder id or drive id
	ID        string   `json:"id"`        // message (immutable) id or drive item id
}

// Change says what a backup did with an item.
type Change string

// Changes reported by Reporter.ItemDone.
const (
	ChangeNew      Change = "new"      // not in the previous snapshot: content and metadata stored
	ChangeContent  Change = "content"  // content changed: downloaded again
	ChangeMetadata Change = "metadata" // only properties changed: new JSON, content carried over
	ChangeDeleted  Change = "deleted"  // removed from the snapshot
)

// Reporter receives a run's progress events. The engine calls it from many
// goroutines at once, so methods must be safe for concurrent use, and they
// must not block: implementations aggregate and render on their own
// schedule. Embed NopReporter to implement only some methods.
type Reporter interface {
	// Planned is called once, before the first resource starts, with the
	// number of resources the run will report on.
	Planned(resources int)
	// ResourceStarted is called when a resource's backup begins.
	ResourceStarted(res Resource)
	// ResourceDone is called once per resource with its final summary,
	// also for skipped and failed resources.
	ResourceDone(sum ResourceSummary)
	// ItemDone is called after an item was stored or removed; bytes is
	// what was read from Graph for it (0 when only metadata was written).
	ItemDone(ref ItemRef, change Change, bytes int64)
	// ItemFailed is called for an item that could not be backed up. The
	// run goes on; the item is retried by the next run.
	ItemFailed(ref ItemRef, err error)
	// BytesRead is called as item content streams in from Graph, with
	// the bytes read since the last call, for transfer-rate displays.
	BytesRead(res Resource, n int64)
}

// NopReporter ignores every event. It is the default Reporter, and can be
// embedded by reporters interested in a few events only.
type NopReporter struct{}

func (NopReporter) Planned(int)                     {}
func (NopReporter) ResourceStarted(Resource)        {}
func (NopReporter) ResourceDone(ResourceSummary)    {}
func (NopReporter) ItemDone(ItemRef, Change, int64) {}
func (NopReporter) ItemFailed(ItemRef, error)       {}
func (NopReporter) BytesRead(Resource, int64)       {}

var _ Reporter = NopReporter{}
