package restore

import (
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/safeguard365/safeguard365/internal/repo"
)

// Collision says what a restore does with an item that already exists at
// its destination (the same message by internetMessageId, the same file
// name in the folder).
type Collision string

// Collision modes.
const (
	// CollisionSkip leaves the existing item and restores nothing for it.
	// It is the default: a restore never overwrites unless asked.
	CollisionSkip Collision = "skip"
	// CollisionCopy restores the item beside the existing one (mail: a
	// second message; files: a renamed copy, "name 1.ext").
	CollisionCopy Collision = "copy"
	// CollisionReplace restores the item in place of the existing one
	// (mail: creates the message, then deletes the old one; files: new
	// content, the old one kept as a version).
	CollisionReplace Collision = "replace"
)

// Collisions are the valid modes.
var Collisions = []Collision{CollisionSkip, CollisionCopy, CollisionReplace}

// ParseCollision parses a collision mode name.
func ParseCollision(s string) (Collision, error) {
	for _, c := range Collisions {
		if strings.EqualFold(s, string(c)) {
			return c, nil
		}
	}
	return "", fmt.Errorf("unknown collision mode %q (want skip, copy or replace)", s)
}

// Permissions says which sharing permissions of OneDrive items a restore
// brings back. Only the item's own permissions can be: the owner's is the
// drive's, and inherited ones come back with the ancestor that carries
// them.
type Permissions string

// Permission restore modes.
const (
	// PermissionsNone restores no sharing.
	PermissionsNone Permissions = "none"
	// PermissionsGrants invites the users and groups that had direct
	// access again, with their roles, without sending them mail. It is
	// the default, and it applies to restores to the original user only:
	// sharing another user's restored copy with the original grantees
	// would hand them data of a drive they never had access to. Sharing
	// links are reported, not recreated: a link's URL cannot be restored,
	// and a new anonymous link would widen exposure after an incident.
	PermissionsGrants Permissions = "grants"
	// PermissionsAll also creates new sharing links of the stored links'
	// type and scope (new URLs, which whoever needs them must be sent).
	PermissionsAll Permissions = "all"
)

// ParsePermissions parses a permission restore mode name.
func ParsePermissions(s string) (Permissions, error) {
	for _, p := range []Permissions{PermissionsNone, PermissionsGrants, PermissionsAll} {
		if strings.EqualFold(s, string(p)) {
			return p, nil
		}
	}
	return "", fmt.Errorf("unknown permissions mode %q (want none, grants or all)", s)
}

// Target is where a restore writes: the user whose data the snapshot holds
// (the zero Target), or another user.
type Target struct {
	// User is the target user's principal name or Graph id; "" restores
	// to the snapshot's own user.
	User string
}

// Original reports whether t is the snapshot's own user.
func (t Target) Original() bool { return t.User == "" }

func (t Target) String() string {
	if t.Original() {
		return "original"
	}
	return "user:" + t.User
}

// ParseTarget parses "original" or "user:UPN".
func ParseTarget(s string) (Target, error) {
	if strings.EqualFold(s, "original") {
		return Target{}, nil
	}
	if u, ok := strings.CutPrefix(s, "user:"); ok && strings.TrimSpace(u) != "" {
		return Target{User: strings.TrimSpace(u)}, nil
	}
	return Target{}, fmt.Errorf("unknown restore target %q (want original or user:UPN)", s)
}

// Request describes a restore. The zero value of every optional field
// selects the documented default.
type Request struct {
	// Snapshots are the snapshots to restore, at most one per resource
	// (user and workload). Required.
	Snapshots []repo.SnapshotID
	// Paths limit the restore to these folders and everything below them:
	// mail folder paths by display name ("Inbox/Projects"), drive paths
	// ("Documents/2024" or a file's path). Empty restores everything.
	Paths []string
	// Items limit the restore to these items, by Graph id (message ids,
	// drive item ids). Combined with Paths, an item must match both.
	Items []string
	// Target is where to restore; default the snapshot's own user.
	Target Target
	// Folder is the destination folder (a path of names) under which the
	// snapshot's folder tree is recreated: a mail folder under the top of
	// the mailbox, or a drive folder under the root. Default: none for
	// the original user (items go back to their own paths), and
	// "Restored from <user> <snapshot time>" for another user.
	Folder string
	// Collision is what to do with items that exist. Default CollisionSkip.
	Collision Collision
	// Permissions is which sharing of OneDrive items to restore. Default
	// PermissionsGrants (original user only; see there).
	Permissions Permissions
	// DryRun plans without writing: the target is read (folders and the
	// items in them) and the Summary counts what a run would do.
	DryRun bool
	// Workers is how many resources are restored at once. Default 4.
	Workers int
	// ItemWorkers is how many items of one resource are restored at once.
	// Default 4: Outlook allows four concurrent requests per mailbox, and
	// the graph client's governor holds everything beyond that anyway.
	ItemWorkers int
	// Reporter receives progress events. Default NopReporter.
	Reporter Reporter
	// Now is the clock for the summary's times. Default time.Now.
	Now func() time.Time
	// RunID names the run in the summary (and so in the audit log).
	// Default: the start time and a random suffix.
	RunID string
}

// Thresholds of the Graph calls; variables so that tests can lower them.
var (
	// smallUploadMax is the largest file uploaded with one PUT; larger
	// files go through an upload session. Graph accepts PUTs up to 250 MB
	// (driveitem-put-content), but a failed PUT must be resent whole and
	// the older guidance was "under 4 MB", which many clients keep.
	smallUploadMax int64 = 4 << 20
	// smallAttachmentMax is the largest attachment added with POST
	// …/attachments; larger ones need an upload session
	// (outlook-large-attachments: "under 3 MB").
	smallAttachmentMax int64 = 3_000_000
	// inlineAttachmentBudget is how many attachment bytes may ride in the
	// create-message request itself: base64 adds a third, and Graph caps
	// a request at 4 MB.
	inlineAttachmentBudget int64 = 2 << 20
	// itemAttempts is how often one item is tried before it is recorded
	// as failed; retryBase is the first pause between attempts.
	itemAttempts = 8
	retryBase    = 250 * time.Millisecond
)

func (r Request) withDefaults() Request {
	if r.Collision == "" {
		r.Collision = CollisionSkip
	}
	if r.Permissions == "" {
		r.Permissions = PermissionsGrants
	}
	if r.Workers <= 0 {
		r.Workers = 4
	}
	if r.ItemWorkers <= 0 {
		r.ItemWorkers = 4
	}
	if r.Reporter == nil {
		r.Reporter = NopReporter{}
	}
	if r.Now == nil {
		r.Now = time.Now
	}
	if r.RunID == "" {
		var b [6]byte
		rand.Read(b[:])
		r.RunID = "restore-" + r.Now().UTC().Format("20060102T150405Z") + "-" + hex.EncodeToString(b[:])
	}
	return r
}

func (r Request) validate() error {
	var errs []error
	if len(r.Snapshots) == 0 {
		errs = append(errs, errors.New("no snapshot to restore"))
	}
	if _, err := ParseCollision(string(r.Collision)); err != nil {
		errs = append(errs, err)
	}
	if _, err := ParsePermissions(string(r.Permissions)); err != nil {
		errs = append(errs, err)
	}
	seen := map[repo.SnapshotID]bool{}
	for _, s := range r.Snapshots {
		if seen[s] {
			errs = append(errs, fmt.Errorf("snapshot %s given twice", s))
		}
		seen[s] = true
	}
	return errors.Join(errs...)
}
