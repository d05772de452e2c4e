package repo

import (
	"context"
	"fmt"

	"github.com/kopia/kopia/repo/content"
)

// ContentStats sums a set of kopia contents (deduplicated chunks).
type ContentStats struct {
	Count         int64
	OriginalBytes int64 // before compression and encryption
	PackedBytes   int64 // as stored: compressed, encrypted, with per-content overhead
}

func (s *ContentStats) add(ci content.Info) {
	s.Count++
	s.OriginalBytes += int64(ci.OriginalLength)
	s.PackedBytes += int64(ci.PackedLength)
}

// RepoStats describes what the repository stores, after deduplication.
// Compare with SnapshotInfo.Bytes (logical bytes) for "written vs stored".
type RepoStats struct {
	Data     ContentStats // file bytes
	Metadata ContentStats // directory manifests, snapshot manifests, indirect objects
}

// Total is Data plus Metadata.
func (s RepoStats) Total() ContentStats {
	return ContentStats{
		Count:         s.Data.Count + s.Metadata.Count,
		OriginalBytes: s.Data.OriginalBytes + s.Metadata.OriginalBytes,
		PackedBytes:   s.Data.PackedBytes + s.Metadata.PackedBytes,
	}
}

// Stats sums the repository's live contents from its index. Contents that
// maintenance has not yet collected count until it does.
func (r *Repository) Stats(ctx context.Context) (RepoStats, error) {
	if err := r.kr.Refresh(ctx); err != nil {
		return RepoStats{}, fmt.Errorf("stats of %s: refresh index: %w", r.loc, err)
	}

	var st RepoStats

	err := r.kr.ContentReader().IterateContents(ctx, content.IterateOptions{}, func(ci content.Info) error {
		if ci.ContentID.HasPrefix() {
			st.Metadata.add(ci)
		} else {
			st.Data.add(ci)
		}

		return nil
	})
	if err != nil {
		return RepoStats{}, fmt.Errorf("stats of %s: %w", r.loc, err)
	}

	return st, nil
}
