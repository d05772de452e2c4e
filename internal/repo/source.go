package repo

import (
	"fmt"
	"strings"
	"time"

	"github.com/kopia/kopia/repo/manifest"
	"github.com/kopia/kopia/snapshot"
)

// Source identifies one protected resource: a mailbox, a drive, a site. Each
// Source has its own line of snapshots.
//
// It maps onto kopia's snapshot.SourceInfo as Host = Tenant, UserName =
// Workload, Path = Resource, so `kopia snapshot list` shows it as
// "exchange@<tenant id>:<user id>". All three fields are required.
type Source struct {
	Tenant   string // Entra tenant ID
	Workload string // "exchange", "onedrive", "sharepoint", "teams", ...
	Resource string // Graph ID of the user, drive, site or team
}

func (s Source) String() string { return s.Tenant + "/" + s.Workload + "/" + s.Resource }

func (s Source) validate() error {
	if s.Tenant == "" || s.Workload == "" || s.Resource == "" {
		return fmt.Errorf("source %q: tenant, workload and resource are all required", s)
	}

	return nil
}

func (s Source) kopia() snapshot.SourceInfo {
	return snapshot.SourceInfo{Host: s.Tenant, UserName: s.Workload, Path: s.Resource}
}

func sourceFromKopia(si snapshot.SourceInfo) Source {
	return Source{Tenant: si.Host, Workload: si.UserName, Resource: si.Path}
}

// Well-known tag keys. NewSnapshot fills TagTenant, TagWorkload and
// TagResource from the Source when the caller leaves them out.
const (
	TagTenant       = "tenant"
	TagWorkload     = "workload"
	TagResource     = "resource"
	TagResourceName = "resource-name" // display name, e.g. the mailbox's UPN
	TagRunID        = "run-id"        // the backup run that wrote the snapshot
)

// tagPrefix keeps our tags apart from kopia's own manifest labels ("type",
// "hostname", ...); kopia's CLI uses the same convention, so `kopia snapshot
// list` shows them.
const tagPrefix = "tag:"

func tagsToKopia(tags map[string]string) (map[string]string, error) {
	out := make(map[string]string, len(tags))
	for k, v := range tags {
		if k == "" || strings.HasPrefix(k, tagPrefix) {
			return nil, fmt.Errorf("invalid tag key %q", k)
		}

		out[tagPrefix+k] = v
	}

	return out, nil
}

func tagsFromKopia(labels map[string]string) map[string]string {
	out := map[string]string{}
	for k, v := range labels {
		if name, ok := strings.CutPrefix(k, tagPrefix); ok {
			out[name] = v
		}
	}

	return out
}

// Filter selects snapshots. Empty fields match everything; every Tags entry
// must match exactly.
type Filter struct {
	Tenant, Workload, Resource string
	Tags                       map[string]string
}

// labels turns f into kopia manifest labels, which FindManifests matches
// exactly, so filtering happens in the manifest index.
func (f Filter) labels() (map[string]string, error) {
	l, err := tagsToKopia(f.Tags)
	if err != nil {
		return nil, err
	}

	l[manifest.TypeLabelKey] = snapshot.ManifestType
	for k, v := range map[string]string{
		snapshot.HostnameLabel: f.Tenant,
		snapshot.UsernameLabel: f.Workload,
		snapshot.PathLabel:     f.Resource,
	} {
		if v != "" {
			l[k] = v
		}
	}

	return l, nil
}

// SnapshotID identifies a snapshot (kopia's manifest ID).
type SnapshotID string

// SnapshotInfo describes a committed snapshot.
type SnapshotInfo struct {
	ID          SnapshotID
	Source      Source
	Description string
	Tags        map[string]string
	StartTime   time.Time
	EndTime     time.Time

	Files int64  // regular files in the tree
	Dirs  int64  // directories, the root included
	Bytes int64  // sum of file sizes (logical bytes, before dedup and compression)
	Root  string // object ID of the root directory, for diagnostics

	Written     int64 // files whose bytes were streamed by this snapshot's writer
	CarriedOver int64 // files and trees reused by reference from the previous snapshot
}

func infoFromManifest(m *snapshot.Manifest) SnapshotInfo {
	info := SnapshotInfo{
		ID:          SnapshotID(m.ID),
		Source:      sourceFromKopia(m.Source),
		Description: m.Description,
		Tags:        tagsFromKopia(m.Tags),
		StartTime:   m.StartTime.ToTime(),
		EndTime:     m.EndTime.ToTime(),
		Files:       int64(m.Stats.TotalFileCount),
		Dirs:        int64(m.Stats.TotalDirectoryCount),
		Bytes:       m.Stats.TotalFileSize,
		Written:     int64(m.Stats.NonCachedFiles),
		CarriedOver: int64(m.Stats.CachedFiles),
	}

	if m.RootEntry != nil {
		info.Root = m.RootEntry.ObjectID.String()
		if s := m.RootEntry.DirSummary; s != nil {
			// the summary is int64 throughout; Stats counts are int32
			info.Files, info.Dirs, info.Bytes = s.TotalFileCount, s.TotalDirCount, s.TotalFileSize
		}
	}

	return info
}
