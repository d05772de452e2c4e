package dataguard

import (
	"bytes"
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/safeguard365/safeguard365/internal/repo"
)

// stateVersion is the format of .state.json and .index.json. A snapshot
// with another version is not continued: the next run is a full one.
const stateVersion = 1

// state is .state.json: what the next run needs to continue this one. It
// is small (one entry per mail folder, failures only for failed items);
// per-item change markers live in the containers' .index.json files, so
// that an unchanged folder's markers are carried over with the folder.
type state struct {
	Version  int       `json:"version"`
	RunID    string    `json:"runId"`
	Workload string    `json:"workload"`
	Resource string    `json:"resource"`
	Name     string    `json:"resourceName"`
	Time     time.Time `json:"time"`

	// Folders are the mailbox's folders by id (mail only).
	Folders map[string]*folderState `json:"folders,omitempty"`
	// Drive is the OneDrive (onedrive only).
	Drive *driveState `json:"drive,omitempty"`
	// Calendars are the user's calendars by id (calendar only). They have
	// no delta link: see calendarWorkload.
	Calendars map[string]*folderState `json:"calendars,omitempty"`
	// ContactFolders are the user's contact folders by id, the default
	// Contacts folder included (contacts only).
	ContactFolders map[string]*folderState `json:"contactFolders,omitempty"`
	// Failures are the items and containers the last runs could not back
	// up, sorted by container and id. Their containers' delta links are
	// held back, so the next run's delta round reports them again.
	Failures []ItemFailure `json:"failures,omitempty"`
}

// folderState is one mail folder, calendar or contact folder.
type folderState struct {
	Name   string `json:"name"`
	Parent string `json:"parent"`
	// DeltaLink continues the folder's message delta; "" asks for a full
	// round (new folder, expired token, or failures in a full round).
	DeltaLink string `json:"deltaLink"`
	// Items is the number of messages stored for the folder.
	Items int `json:"items"`
	// Meta is a hash of the folder JSON stored as .folder.json, to write
	// it only when it changed.
	Meta string `json:"meta"`
	// Default marks the default calendar and the default Contacts folder.
	Default bool `json:"default,omitempty"`
}

// driveState is one OneDrive.
type driveState struct {
	ID        string `json:"id"`
	DeltaLink string `json:"deltaLink"`
	Items     int    `json:"items"`
	Meta      string `json:"meta"` // hash of the drive JSON stored as drive/.drive.json
}

// mailMark is what a mail folder's index keeps per message: the changeKey
// Graph reported and a fingerprint of the properties that appear in the
// MIME (see mimeFingerprint).
type mailMark struct {
	CK string `json:"ck"`
	FP string `json:"fp"`
}

// eventMark is what a calendar's index keeps per event: its changeKey, its
// type (singleInstance or seriesMaster) and its stored attachments.
type eventMark struct {
	CK   string             `json:"ck"`
	Type string             `json:"t,omitempty"`
	Att  map[string]attMark `json:"a,omitempty"`
	// Series marks a series master stored with its exceptions and
	// cancellations (EventSeriesPath); snapshots from before they were
	// backed up have none.
	Series bool `json:"s,omitempty"`
}

// attMark is a stored event attachment: a hash of its JSON, so that an
// event whose other properties change keeps its attachments without
// downloading them again, and its name and size for listings.
type attMark struct {
	Hash string `json:"h"`
	Name string `json:"n,omitempty"`
	Size int64  `json:"s"`
	// Ref marks a reference attachment, which has no content file.
	Ref bool `json:"r,omitempty"`
}

// contactMark is what a contact folder's index keeps per contact.
type contactMark struct {
	CK string `json:"ck"`
}

// driveMark is what a drive shard's index keeps per item.
type driveMark struct {
	ETag   string `json:"e"`
	CTag   string `json:"c,omitempty"`
	Hash   string `json:"h,omitempty"` // quickXorHash, sha256 or sha1, as the drive gives
	Size   int64  `json:"s"`
	Parent string `json:"p,omitempty"`
	Folder bool   `json:"f,omitempty"` // folder, package or root: no content file
	// Name is the item's name, so that a snapshot's tree can be shown
	// without reading every .meta.json. Indexes written before it was
	// added lack it; readers fall back to the item's .meta.json.
	Name string `json:"n,omitempty"`
	// Perms is the number of sharing permissions stored beside the item
	// (DriveItemPermissionsPath); 0 when none are.
	Perms int `json:"sh,omitempty"`
}

// index is a container's .index.json.
type index[M any] struct {
	Version int          `json:"version"`
	Items   map[string]M `json:"items"`
}

// readJSON decodes the file at p of snapshot id into v. It returns
// repo.ErrPathNotFound (wrapped) when there is none.
func readJSON(ctx context.Context, r *repo.Repository, id repo.SnapshotID, p string, v any) error {
	f, err := r.OpenFile(ctx, id, p)
	if err != nil {
		return err
	}
	defer f.Close()
	if err := json.NewDecoder(f).Decode(v); err != nil {
		return fmt.Errorf("read %s: %w", p, err)
	}
	return nil
}

// loadState reads the state of a previous snapshot. ok is false when it has
// none or one of another version, in which case the run starts afresh.
func loadState(ctx context.Context, r *repo.Repository, id repo.SnapshotID) (*state, bool, error) {
	var st state
	err := readJSON(ctx, r, id, StatePath, &st)
	switch {
	case errors.Is(err, repo.ErrPathNotFound):
		return nil, false, nil
	case err != nil:
		return nil, false, err
	case st.Version != stateVersion:
		return nil, false, nil
	}
	return &st, true, nil
}

// loadIndex reads a container's index from the previous snapshot. A
// missing or unreadable-format index gives ok false: the caller then
// enumerates the container fully.
func loadIndex[M any](ctx context.Context, r *repo.Repository, id repo.SnapshotID, p string) (map[string]M, bool, error) {
	var ix index[M]
	err := readJSON(ctx, r, id, p, &ix)
	switch {
	case errors.Is(err, repo.ErrPathNotFound):
		return map[string]M{}, false, nil
	case err != nil:
		return nil, false, err
	case ix.Version != stateVersion:
		return map[string]M{}, false, nil
	}
	if ix.Items == nil {
		ix.Items = map[string]M{}
	}
	return ix.Items, true, nil
}

// writeJSON stores v as compact JSON.
func writeJSON(ctx context.Context, w *repo.SnapshotWriter, p string, v any, mtime time.Time) error {
	b, err := json.Marshal(v)
	if err != nil {
		return fmt.Errorf("encode %s: %w", p, err)
	}
	return w.WriteFile(ctx, p, bytes.NewReader(b), mtime)
}

func writeIndex[M any](ctx context.Context, w *repo.SnapshotWriter, p string, items map[string]M, mtime time.Time) error {
	return writeJSON(ctx, w, p, index[M]{Version: stateVersion, Items: items}, mtime)
}

// sortFailures orders failures by container and id, for stable state files.
func sortFailures(fs []ItemFailure) {
	slices.SortFunc(fs, func(a, b ItemFailure) int {
		return cmp.Or(cmp.Compare(a.Container, b.Container), cmp.Compare(a.ID, b.ID))
	})
}
