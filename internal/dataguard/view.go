package dataguard

import (
	"context"
	"errors"
	"fmt"
	"io"
	"path"
	"slices"
	"strings"

	"github.com/safeguard365/safeguard365/internal/repo"
)

// View reads one DataGuard snapshot with names applied: the tree is keyed
// by Graph ids (see the package documentation), and a View turns it back
// into the folders and paths a person knows. Restore, export and the
// catalog read snapshots through it, so that the layout is known in this
// package only.
type View struct {
	r        *repo.Repository
	info     repo.SnapshotInfo
	workload string
	st       *state
}

// ErrNotDataGuard is returned by OpenView for a snapshot that DataGuard did
// not write, or whose state is of a format this version cannot read.
var ErrNotDataGuard = errors.New("not a DataGuard snapshot")

// OpenView opens snapshot id for reading.
func OpenView(ctx context.Context, r *repo.Repository, id repo.SnapshotID) (*View, error) {
	infos, err := r.Snapshots(ctx, repo.Filter{})
	if err != nil {
		return nil, fmt.Errorf("open snapshot %s: %w", id, err)
	}
	i := slices.IndexFunc(infos, func(s repo.SnapshotInfo) bool { return s.ID == id })
	if i < 0 {
		return nil, fmt.Errorf("open snapshot %s: %w", id, repo.ErrSnapshotNotFound)
	}
	info := infos[i]
	wl, ok := workloadOfSource(info.Source.Workload)
	if !ok {
		return nil, fmt.Errorf("open snapshot %s: %w (workload %q)", id, ErrNotDataGuard, info.Source.Workload)
	}
	st, usable, err := loadState(ctx, r, id)
	if err != nil {
		return nil, fmt.Errorf("open snapshot %s: %w", id, err)
	}
	if !usable {
		return nil, fmt.Errorf("open snapshot %s: %w (no state of version %d)", id, ErrNotDataGuard, stateVersion)
	}
	return &View{r: r, info: info, workload: wl, st: st}, nil
}

// workloadOfSource maps a repository workload name to DataGuard's workload.
func workloadOfSource(src string) (string, bool) {
	switch src {
	case sourceMail:
		return WorkloadMail, true
	case sourceOneDrive:
		return WorkloadOneDrive, true
	case sourceCalendar:
		return WorkloadCalendar, true
	case sourceContacts:
		return WorkloadContacts, true
	}
	return "", false
}

// Info is the snapshot's repository information.
func (v *View) Info() repo.SnapshotInfo { return v.info }

// Workload is the snapshot's workload (WorkloadMail, WorkloadOneDrive, …).
func (v *View) Workload() string { return v.workload }

// ResourceID is the id of the user whose data the snapshot holds.
func (v *View) ResourceID() string { return v.st.Resource }

// ResourceName is that user's principal name at backup time.
func (v *View) ResourceName() string { return v.st.Name }

// Open opens a file of the snapshot by its path (MessageRef.EML,
// DriveItemRef.Content, …).
func (v *View) Open(ctx context.Context, p string) (io.ReadSeekCloser, error) {
	return v.r.OpenFile(ctx, v.info.ID, p)
}

// ReadJSON decodes the JSON file at p (a sidecar such as MessageRef.JSON).
func (v *View) ReadJSON(ctx context.Context, p string, out any) error {
	return readJSON(ctx, v.r, v.info.ID, p, out)
}

// Failures are the items the backup that wrote the snapshot could not
// back up (and earlier failures not yet retried). They are missing from
// the snapshot, or present as of an earlier backup.
func (v *View) Failures() []ItemFailure { return slices.Clone(v.st.Failures) }

// joinPath builds the slash-separated path of a node named name under the
// nodes found by parent (id → (name, parent id)). Cycles and missing
// parents end the walk: the path is then rooted at the last known node.
func joinPath(id string, node func(id string) (name, parent string, ok bool)) string {
	var parts []string
	seen := map[string]bool{}
	for id != "" && !seen[id] {
		seen[id] = true
		name, parent, ok := node(id)
		if !ok {
			break
		}
		parts = append(parts, cleanName(name))
		id = parent
	}
	slices.Reverse(parts)
	return strings.Join(parts, "/")
}

// cleanName makes a display name usable as one path element: "/" would
// split it, and "", "." and ".." would not name it.
func cleanName(name string) string {
	name = strings.ReplaceAll(name, "/", "∕") // U+2215 DIVISION SLASH
	switch name {
	case "", ".", "..":
		return "_" + name
	}
	return name
}

// pathHasPrefix reports whether p is prefix or below it ("" matches all).
func pathHasPrefix(p, prefix string) bool {
	prefix = strings.Trim(prefix, "/")
	if prefix == "" {
		return true
	}
	return p == prefix || strings.HasPrefix(p, prefix+"/")
}

// pathBase is the last element of a slash-separated path.
func pathBase(p string) string { return path.Base(p) }
