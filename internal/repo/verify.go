package repo

import (
	"cmp"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"hash/fnv"
	"io"
	"path"
	"slices"
	"sync"

	"golang.org/x/sync/errgroup"

	"github.com/kopia/kopia/repo/blob"
	"github.com/kopia/kopia/repo/content"
	"github.com/kopia/kopia/repo/object"
	"github.com/kopia/kopia/snapshot"
)

// defaultVerifyWorkers reads this many files at once: enough to overlap
// storage latency with decryption on a 2-core machine.
const defaultVerifyWorkers = 4

// VerifyOptions configure Verify. The zero value reads back every file of
// every snapshot.
type VerifyOptions struct {
	// SamplePercent is the share of files, 0 < p <= 100, whose bytes are read
	// back, decrypted and hash-checked. The others are only checked to exist
	// in the index. 0 means 100.
	SamplePercent float64
	// Seed picks the sample: the same seed picks the same files, so rotating
	// it (e.g. by day) covers the whole repository over successive runs.
	Seed uint64
	// Snapshots to verify; empty means all.
	Snapshots []SnapshotID
	// Workers bounds concurrent file reads. Default 4.
	Workers int
}

// VerifyError is one problem Verify found. Path is empty for problems not
// tied to a file, such as a missing pack blob.
type VerifyError struct {
	Snapshot SnapshotID
	Path     string
	Err      error // wraps ErrDamaged, ErrSnapshotNotFound or a storage error
}

func (e VerifyError) Error() string {
	switch {
	case e.Snapshot == "":
		return e.Err.Error()
	case e.Path == "":
		return fmt.Sprintf("snapshot %s: %v", e.Snapshot, e.Err)
	default:
		return fmt.Sprintf("snapshot %s: %q: %v", e.Snapshot, e.Path, e.Err)
	}
}

func (e VerifyError) Unwrap() error { return e.Err }

// VerifyReport is the outcome of Verify.
type VerifyReport struct {
	Snapshots int
	Packs     int   // pack blobs checked against the index
	Checked   int64 // file entries whose chunks were found in the index
	Files     int64 // file entries whose bytes were read back
	Bytes     int64 // bytes read back
	Errors    []VerifyError
}

// OK reports whether Verify found no problem.
func (r VerifyReport) OK() bool { return len(r.Errors) == 0 }

// Verify checks the repository: every pack blob the index names must exist
// and be long enough, every directory of the chosen snapshots must decode,
// every file's chunks must be in the index, and a sample of files is read
// back in full, which makes kopia decrypt (AES-256-GCM authenticates) and
// hash-check every chunk. Problems are collected in the report, per path;
// Verify itself fails only if the repository cannot be read at all or ctx
// ends. Objects shared by several paths are checked once.
func (r *Repository) Verify(ctx context.Context, opts VerifyOptions) (VerifyReport, error) {
	if opts.SamplePercent <= 0 || opts.SamplePercent > 100 {
		opts.SamplePercent = 100
	}

	if opts.Workers <= 0 {
		opts.Workers = defaultVerifyWorkers
	}

	if err := r.kr.Refresh(ctx); err != nil {
		return VerifyReport{}, fmt.Errorf("verify %s: refresh index: %w", r.loc, err)
	}

	v := &verifier{r: r, opts: opts, seen: map[object.ID]error{}}

	if err := v.checkPacks(ctx); err != nil {
		return VerifyReport{}, fmt.Errorf("verify %s: %w", r.loc, err)
	}

	ids := opts.Snapshots
	if len(ids) == 0 {
		all, err := r.Snapshots(ctx, Filter{})
		if err != nil {
			return VerifyReport{}, fmt.Errorf("verify %s: %w", r.loc, err)
		}

		for _, s := range all {
			ids = append(ids, s.ID)
		}
	}

	for _, id := range ids {
		if err := v.snapshot(ctx, id); err != nil {
			return VerifyReport{}, fmt.Errorf("verify %s: %w", r.loc, err)
		}
	}

	v.rep.Snapshots = len(ids)
	slices.SortFunc(v.rep.Errors, func(a, b VerifyError) int {
		return cmp.Or(cmp.Compare(a.Snapshot, b.Snapshot), cmp.Compare(a.Path, b.Path))
	})

	return v.rep, nil
}

type verifier struct {
	r    *Repository
	opts VerifyOptions

	mu   sync.Mutex
	rep  VerifyReport
	seen map[object.ID]error // objects already checked, and their outcome
}

func (v *verifier) fail(id SnapshotID, p string, err error) {
	v.mu.Lock()
	defer v.mu.Unlock()

	v.rep.Errors = append(v.rep.Errors, VerifyError{Snapshot: id, Path: p, Err: err})
}

// checkPacks compares the index with the pack blobs in storage. A missing or
// short pack is what an interrupted upload or a deleted file would leave.
func (v *verifier) checkPacks(ctx context.Context) error {
	need := map[blob.ID]int64{}

	err := v.r.kr.ContentReader().IterateContents(ctx, content.IterateOptions{}, func(ci content.Info) error {
		need[ci.PackBlobID] = max(need[ci.PackBlobID], int64(ci.PackOffset)+int64(ci.PackedLength))
		return nil
	})
	if err != nil {
		return fmt.Errorf("read index: %w", err)
	}

	have := map[blob.ID]int64{}
	for _, prefix := range content.PackBlobIDPrefixes {
		err := v.r.kr.BlobReader().ListBlobs(ctx, prefix, func(m blob.Metadata) error {
			have[m.BlobID] = m.Length
			return nil
		})
		if err != nil {
			return fmt.Errorf("list packs: %w", err)
		}
	}

	for id, n := range need {
		got, ok := have[id]
		switch {
		case !ok:
			v.fail("", "", fmt.Errorf("%w: pack %s is missing", ErrDamaged, id))
		case got < n:
			v.fail("", "", fmt.Errorf("%w: pack %s has %d bytes, the index needs %d", ErrDamaged, id, got, n))
		}
	}

	v.rep.Packs = len(need)

	return nil
}

type verifyJob struct {
	path string
	oid  object.ID
}

// snapshot walks one snapshot, feeding its files to a pool of readers.
func (v *verifier) snapshot(ctx context.Context, id SnapshotID) error {
	m, err := v.r.manifest(ctx, id)
	if err != nil {
		if ctx.Err() != nil {
			return ctx.Err()
		}

		v.fail(id, "", err)

		return nil
	}

	jobs := make(chan verifyJob)
	g, gctx := errgroup.WithContext(ctx)

	for range v.opts.Workers {
		g.Go(func() error {
			for j := range jobs {
				v.file(gctx, id, j)
			}

			return gctx.Err()
		})
	}

	g.Go(func() error {
		defer close(jobs)
		return v.dir(gctx, id, "", m.RootEntry, jobs)
	})

	return g.Wait()
}

func (v *verifier) dir(ctx context.Context, id SnapshotID, dir string, de *snapshot.DirEntry, jobs chan<- verifyJob) error {
	ents, err := loadDir(ctx, v.r.kr, de)
	if err != nil {
		if ctx.Err() != nil {
			return ctx.Err()
		}

		v.fail(id, dir, fmt.Errorf("%w: directory unreadable: %w", ErrDamaged, err))

		return nil
	}

	for _, e := range ents {
		p := path.Join(dir, e.Name)
		if e.Type == snapshot.EntryTypeDirectory {
			if err := v.dir(ctx, id, p, e, jobs); err != nil {
				return err
			}

			continue
		}

		select {
		case jobs <- verifyJob{path: p, oid: e.ObjectID}:
		case <-ctx.Done():
			return ctx.Err()
		}
	}

	return nil
}

// file checks one file's object, reading it back if it is in the sample.
func (v *verifier) file(ctx context.Context, id SnapshotID, j verifyJob) {
	v.mu.Lock()
	prev, done := v.seen[j.oid]
	v.rep.Checked++
	v.mu.Unlock()

	if !done {
		n, read, err := v.check(ctx, j.oid)

		v.mu.Lock()
		v.seen[j.oid] = err
		if read {
			v.rep.Files++
			v.rep.Bytes += n
		}
		v.mu.Unlock()

		prev = err
	}

	if prev != nil && ctx.Err() == nil {
		v.fail(id, j.path, prev)
	}
}

// check verifies one object; read tells whether its bytes were read back.
func (v *verifier) check(ctx context.Context, oid object.ID) (n int64, read bool, err error) {
	if _, err := v.r.kr.VerifyObject(ctx, oid); err != nil {
		return 0, false, fmt.Errorf("%w: %w", ErrDamaged, err)
	}

	if !v.sampled(oid) {
		return 0, false, nil
	}

	rd, err := v.r.kr.OpenObject(ctx, oid)
	if err != nil {
		return 0, true, fmt.Errorf("%w: open: %w", ErrDamaged, err)
	}
	defer rd.Close() //nolint:errcheck // read-only

	n, err = io.Copy(io.Discard, ctxReader{ctx, rd})
	if err != nil && !errors.Is(err, context.Canceled) {
		return n, true, fmt.Errorf("%w: read at byte %d: %w", ErrDamaged, n, err)
	}

	return n, true, nil
}

// sampled decides by a hash of the seed and the object ID, so the choice is
// stable for a seed and shared by every path holding the same bytes.
func (v *verifier) sampled(oid object.ID) bool {
	if v.opts.SamplePercent >= 100 {
		return true
	}

	h := fnv.New64a()
	_ = binary.Write(h, binary.LittleEndian, v.opts.Seed)
	_, _ = h.Write([]byte(oid.String()))

	return float64(h.Sum64()%1_000_000) < v.opts.SamplePercent*10_000
}
