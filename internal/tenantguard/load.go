package tenantguard

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/url"
	"strings"

	"github.com/safeguard365/safeguard365/internal/repo"
)

func bytesReader(b []byte) io.Reader { return bytes.NewReader(b) }

// maxFile bounds one stored file read back; configuration objects are a
// few KiB.
const maxFile = 64 << 20

// Load reads a configuration snapshot back from r. A snapshot without
// .collection.json (not written by Save) is an error.
func Load(ctx context.Context, r *repo.Repository, id repo.SnapshotID) (*State, error) {
	read := func(path string) ([]byte, error) {
		f, err := r.OpenFile(ctx, id, path)
		if err != nil {
			return nil, err
		}
		defer f.Close()
		b, err := io.ReadAll(io.LimitReader(f, maxFile+1))
		if err != nil {
			return nil, err
		}
		if len(b) > maxFile {
			return nil, fmt.Errorf("%s: larger than %d bytes", path, maxFile)
		}
		return b, nil
	}
	b, err := read(".collection.json")
	if err != nil {
		return nil, fmt.Errorf("tenantguard: load %s: %w", id, err)
	}
	var coll collectionFile
	if err := json.Unmarshal(b, &coll); err != nil {
		return nil, fmt.Errorf("tenantguard: load %s: .collection.json: %w", id, err)
	}
	if coll.Format != snapshotFormat {
		return nil, fmt.Errorf("tenantguard: load %s: layout version %d, this build reads %d", id, coll.Format, snapshotFormat)
	}
	s := &State{ID: id, TenantID: coll.TenantID, Started: coll.Started, Finished: coll.Finished,
		Kinds: coll.Kinds, Objects: map[string]map[string][]byte{}, Refs: map[string]Ref{}}
	if s.Kinds == nil {
		s.Kinds = map[string]KindResult{}
	}
	if b, err := read("refs.json"); err == nil {
		if err := json.Unmarshal(b, &s.Refs); err != nil {
			return nil, fmt.Errorf("tenantguard: load %s: refs.json: %w", id, err)
		}
	}
	var files []string
	err = r.Walk(ctx, id, func(e repo.Entry) error {
		if e.Type == repo.TypeFile && strings.HasPrefix(e.Path, "config/") {
			files = append(files, e.Path)
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("tenantguard: load %s: %w", id, err)
	}
	for _, p := range files {
		parts := strings.Split(p, "/")
		if len(parts) != 3 || !strings.HasSuffix(parts[2], ".json") {
			continue // not ours
		}
		key, err := url.PathUnescape(strings.TrimSuffix(parts[2], ".json"))
		if err != nil {
			return nil, fmt.Errorf("tenantguard: load %s: %s: %w", id, p, err)
		}
		b, err := read(p)
		if err != nil {
			return nil, fmt.Errorf("tenantguard: load %s: %w", id, err)
		}
		kind := parts[1]
		if s.Objects[kind] == nil {
			s.Objects[kind] = map[string][]byte{}
		}
		s.Objects[kind][key] = b
	}
	return s, nil
}

// Snapshots lists the tenant's configuration snapshots, oldest first.
func Snapshots(ctx context.Context, r *repo.Repository, tenantID string) ([]repo.SnapshotInfo, error) {
	return r.Snapshots(ctx, repo.Filter{Tenant: tenantID, Workload: Workload})
}
