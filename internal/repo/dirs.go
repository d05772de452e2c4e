package repo

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/kopia/kopia/fs"
	kopiarepo "github.com/kopia/kopia/repo"
	"github.com/kopia/kopia/snapshot"
	"github.com/kopia/kopia/snapshot/snapshotfs"
)

// compressor is used for file contents and directory manifests. zstd-fastest
// rather than zstd: on our 2-core machines compression is the CPU hot spot of
// a backup, and kopia already stores a content uncompressed when compressing
// does not shrink it (JPEGs, Office files, zip attachments).
const compressor = "zstd-fastest"

// File and directory modes recorded in the tree. M365 items have no POSIX
// modes; these make `kopia restore` produce ordinary files.
const (
	fileMode = 0o644
	dirMode  = 0o755
)

// loadDir reads the entries of the stored directory de, using kopia's reader
// for its directory manifests. The entries are fresh copies the caller owns,
// directories first, then by name.
func loadDir(ctx context.Context, rep kopiarepo.Repository, de *snapshot.DirEntry) ([]*snapshot.DirEntry, error) {
	if de.Type != snapshot.EntryTypeDirectory {
		return nil, fmt.Errorf("%w: %q is not a directory", ErrPathConflict, de.Name)
	}

	d, ok := snapshotfs.EntryFromDirEntry(rep, de).(fs.Directory)
	if !ok {
		return nil, fmt.Errorf("read directory %s: not a directory entry", de.ObjectID)
	}

	var out []*snapshot.DirEntry

	err := fs.IterateEntries(ctx, d, func(_ context.Context, e fs.Entry) error {
		h, ok := e.(snapshot.HasDirEntry)
		if !ok {
			return fmt.Errorf("entry %q has no directory entry", e.Name())
		}

		out = append(out, h.DirEntry().Clone())

		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("read directory %s: %w", de.ObjectID, translate(err))
	}

	// kopia's reader hands entries out in map order; restore the stored
	// order (directories first, then by name) so listings are stable.
	slices.SortFunc(out, func(a, b *snapshot.DirEntry) int {
		if ad, bd := a.Type == snapshot.EntryTypeDirectory, b.Type == snapshot.EntryTypeDirectory; ad != bd {
			if ad {
				return -1
			}

			return 1
		}

		return strings.Compare(a.Name, b.Name)
	})

	return out, nil
}
