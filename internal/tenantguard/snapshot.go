package tenantguard

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"sort"
	"sync"
	"time"

	"golang.org/x/sync/errgroup"

	"github.com/safeguard365/safeguard365/internal/graph"
	"github.com/safeguard365/safeguard365/internal/repo"
)

// Workload is the repo.Source workload of configuration snapshots.
const Workload = "tenant-config"

// Status is how the collection of one kind ended.
type Status string

const (
	StatusOK        Status = "ok"        // every object was read
	StatusError     Status = "error"     // reading failed; the kind is unknown
	StatusForbidden Status = "forbidden" // Graph answered 403; a permission is missing
)

// KindResult records the collection of one kind in .collection.json.
type KindResult struct {
	Status     Status    `json:"status"`
	Error      string    `json:"error,omitempty"`
	Permission string    `json:"permission,omitempty"` // the permission to grant, when forbidden
	Count      int       `json:"count"`                // objects stored
	Time       time.Time `json:"time"`                 // when the collection of the kind ended
}

// Known reports whether the kind's objects were all read, so that its
// absence of objects means they do not exist.
func (r KindResult) Known() bool { return r.Status == StatusOK }

// State is a tenant's configuration at one time: canonical JSON per
// kind and key, the collection status per kind, and the referenced
// directory objects. A State is not modified after Collect or Load
// returns it and may be shared.
type State struct {
	ID       repo.SnapshotID // empty until saved
	TenantID string
	Started  time.Time
	Finished time.Time
	Kinds    map[string]KindResult        // by kind name, for every kind collected
	Objects  map[string]map[string][]byte // kind name -> key -> canonical JSON
	Refs     map[string]Ref               // referenced users, groups and roles by id
}

// Object returns the canonical JSON of one object, or nil.
func (s *State) Object(kind, key string) []byte { return s.Objects[kind][key] }

// collectionFile is the format of .collection.json.
type collectionFile struct {
	Format   int                   `json:"format"`
	TenantID string                `json:"tenantId"`
	Started  time.Time             `json:"started"`
	Finished time.Time             `json:"finished"`
	Kinds    map[string]KindResult `json:"kinds"`
}

// snapshotFormat is the layout version written in .collection.json.
const snapshotFormat = 1

// Options configure Collect and Snapshot.
type Options struct {
	TenantID string   // the tenant's id (GUID); required
	Kinds    []string // kinds to collect, by name; nil: every kind in Registry
	// Workers is how many kinds (and later, referenced objects) are read
	// at once; default 4. The Graph client paces requests itself; this
	// bounds the goroutines and buffered responses.
	Workers int
	// Now is the clock; nil uses time.Now.
	Now func() time.Time
	// Tags are added to the repository snapshot's tags.
	Tags map[string]string
}

func (o Options) withDefaults() (Options, []*Kind, error) {
	if o.TenantID == "" {
		return o, nil, errors.New("tenantguard: no tenant id")
	}
	if o.Workers <= 0 {
		o.Workers = 4
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.Kinds == nil {
		return o, Registry, nil
	}
	var kinds []*Kind
	for _, n := range o.Kinds {
		k := Lookup(n)
		if k == nil {
			return o, nil, fmt.Errorf("tenantguard: unknown kind %q (known: %v)", n, KindNames())
		}
		kinds = append(kinds, k)
	}
	return o, kinds, nil
}

// Snapshot collects the tenant's configuration through c and stores it in
// r as one snapshot; see Collect. It returns the stored snapshot, whose
// Kinds say which kinds failed: a failed kind is not an error of
// Snapshot, which fails only when nothing could be stored or ctx ends.
func Snapshot(ctx context.Context, c *graph.Client, r *repo.Repository, opts Options) (*State, error) {
	s, err := Collect(ctx, c, opts)
	if err != nil {
		return nil, err
	}
	if err := Save(ctx, r, s, opts.Tags); err != nil {
		return nil, err
	}
	return s, nil
}

// Collect reads every kind of opts.Kinds through c, opts.Workers at a
// time, then the display names of the users, groups and roles the objects
// refer to. A kind that fails is recorded in State.Kinds (forbidden
// when Graph answered 403, error otherwise) and the others go on; Collect
// returns an error only for invalid options or when ctx ends.
func Collect(ctx context.Context, c *graph.Client, opts Options) (*State, error) {
	opts, kinds, err := opts.withDefaults()
	if err != nil {
		return nil, err
	}
	s := &State{TenantID: opts.TenantID, Started: opts.Now().UTC(),
		Kinds: map[string]KindResult{}, Objects: map[string]map[string][]byte{}}
	var mu sync.Mutex
	ctxRefs := newRefCollector()
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(opts.Workers)
	for _, k := range kinds {
		g.Go(func() error {
			objs, all, err := collectKind(gctx, c, k)
			if err != nil && ctx.Err() != nil {
				return ctx.Err() // cancellation is not a collection failure
			}
			res := KindResult{Status: StatusOK, Count: len(objs), Time: opts.Now().UTC()}
			if err != nil {
				res = KindResult{Status: StatusError, Error: err.Error(), Time: res.Time}
				if graph.IsPermission(err) {
					res.Status, res.Permission = StatusForbidden, k.Permission
				}
				objs = nil
			}
			mu.Lock()
			defer mu.Unlock()
			s.Kinds[k.Name] = res
			if objs != nil {
				s.Objects[k.Name] = objs
				ctxRefs.scan(k, all)
			}
			return nil
		})
	}
	if err := g.Wait(); err != nil {
		return nil, err
	}
	refs, err := ctxRefs.resolve(ctx, c, opts.Workers)
	if err != nil {
		return nil, err
	}
	s.Refs = refs
	s.Finished = opts.Now().UTC()
	return s, nil
}

// collectKind reads one kind and returns its stored objects as canonical
// JSON by key, and every object read (stored or not) decoded.
func collectKind(ctx context.Context, c *graph.Client, k *Kind) (map[string][]byte, []map[string]any, error) {
	var raws []json.RawMessage
	opts := []graph.RequestOption{graph.WithOp("tenantguard: read " + k.Name)}
	if k.Query != nil {
		opts = append(opts, graph.WithQuery(k.Query))
	}
	if k.Singleton {
		var raw json.RawMessage
		if err := c.Get(ctx, k.Path, &raw, opts...); err != nil {
			return nil, nil, err
		}
		raws = append(raws, raw)
	} else {
		for raw, err := range graph.List[json.RawMessage](ctx, c, k.Path, opts...) {
			if err != nil {
				return nil, nil, err
			}
			raws = append(raws, raw)
		}
	}
	out := map[string][]byte{}
	all := make([]map[string]any, 0, len(raws))
	for _, raw := range raws {
		obj, err := decodeJSON(raw)
		if err != nil {
			return nil, nil, fmt.Errorf("%s: decode: %w", k.Name, err)
		}
		all = append(all, obj)
		if k.Keep != nil && !k.Keep(obj) {
			continue
		}
		key := k.Name
		if !k.Singleton {
			key, _ = obj[k.key()].(string)
			if key == "" {
				return nil, nil, fmt.Errorf("%s: an object has no %s", k.Name, k.key())
			}
		}
		b, err := Canonical(k, obj)
		if err != nil {
			return nil, nil, err
		}
		out[key] = b
	}
	return out, all, nil
}

// Save stores s in r as one snapshot of the source {s.TenantID,
// Workload, s.TenantID} and sets s.ID. tags are added to the snapshot's.
func Save(ctx context.Context, r *repo.Repository, s *State, tags map[string]string) error {
	src := repo.Source{Tenant: s.TenantID, Workload: Workload, Resource: s.TenantID}
	all := map[string]string{repo.TagResourceName: "tenant configuration"}
	for k, v := range tags {
		all[k] = v
	}
	objects, failed := 0, 0
	for _, res := range s.Kinds {
		objects += res.Count
		if !res.Known() {
			failed++
		}
	}
	w, err := r.NewSnapshot(ctx, src, repo.SnapshotOptions{Tags: all,
		Description: fmt.Sprintf("tenant configuration: %d kinds (%d failed), %d objects", len(s.Kinds), failed, objects)})
	if err != nil {
		return fmt.Errorf("tenantguard: save: %w", err)
	}
	write := func(path string, b []byte) error {
		if err := w.WriteFile(ctx, path, bytesReader(b), s.Started); err != nil {
			return fmt.Errorf("tenantguard: save %s: %w", path, err)
		}
		return nil
	}
	for _, kind := range sortedKeys(s.Objects) {
		objs := s.Objects[kind]
		for _, key := range sortedKeys(objs) {
			if err := write("config/"+kind+"/"+url.PathEscape(key)+".json", objs[key]); err != nil {
				w.Abort()
				return err
			}
		}
	}
	coll, err := encode(collectionFile{Format: snapshotFormat, TenantID: s.TenantID, Started: s.Started, Finished: s.Finished, Kinds: s.Kinds})
	if err == nil {
		err = write(".collection.json", coll)
	}
	if err == nil {
		var refs []byte
		if refs, err = encode(s.Refs); err == nil {
			err = write("refs.json", refs)
		}
	}
	if err != nil {
		w.Abort()
		return err
	}
	info, err := w.Commit(ctx)
	if err != nil {
		return fmt.Errorf("tenantguard: save: %w", err)
	}
	s.ID = info.ID
	return nil
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
