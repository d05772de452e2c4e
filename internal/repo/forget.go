package repo

import (
	"context"
	"fmt"
	"time"

	kopiarepo "github.com/kopia/kopia/repo"
	"github.com/kopia/kopia/repo/manifest"
)

// ForgetOptions configure Forget.
type ForgetOptions struct {
	// DryRun computes the result without deleting anything.
	DryRun bool
	// Filter limits which snapshots are considered; the policy is applied to
	// each Source among them separately.
	Filter Filter
	// Exempt, when not nil, names sources the policy does not apply to:
	// every snapshot of such a source is kept and listed in
	// ForgetResult.Exempt, never in Keep or Remove. The zero value exempts
	// nothing.
	Exempt func(Source) bool
	// Now is the clock for Policy.KeepWithin. Default: the repository's clock.
	Now func() time.Time
	// Location is the time zone of days, weeks, months and years.
	// Default: time.Local, the zone the admin thinks in.
	Location *time.Location
}

// ForgetResult lists, newest first within each source, the snapshots a
// policy keeps and removes. Reasons holds, for each kept snapshot, the rules
// that keep it, e.g. "last", "daily 2026-11-27", "weekly 2026-W48". Exempt
// lists the snapshots of sources ForgetOptions.Exempt excluded; they are
// kept without a policy decision and have no Reasons.
type ForgetResult struct {
	Keep    []SnapshotInfo
	Remove  []SnapshotInfo
	Exempt  []SnapshotInfo
	Reasons map[SnapshotID][]string
}

// Forget applies p to each Source matched by opts.Filter and, unless DryRun,
// deletes the snapshot manifests it does not keep. Deleting manifests frees
// no space by itself: full Maintenance later collects the data only they
// referred to. The zero Policy removes nothing.
func (r *Repository) Forget(ctx context.Context, p Policy, opts ForgetOptions) (ForgetResult, error) {
	now := r.now
	if opts.Now != nil {
		now = opts.Now
	}

	loc := opts.Location
	if loc == nil {
		loc = time.Local
	}

	all, err := r.Snapshots(ctx, opts.Filter)
	if err != nil {
		return ForgetResult{}, fmt.Errorf("forget: %w", err)
	}

	bySource := map[Source][]SnapshotInfo{}
	var order []Source

	for _, s := range all {
		if _, ok := bySource[s.Source]; !ok {
			order = append(order, s.Source)
		}

		bySource[s.Source] = append(bySource[s.Source], s)
	}

	res := ForgetResult{Reasons: map[SnapshotID][]string{}}
	t := now()

	for _, src := range order {
		if opts.Exempt != nil && opts.Exempt(src) {
			res.Exempt = append(res.Exempt, bySource[src]...)
			continue
		}

		keep, remove, why := applyPolicy(bySource[src], p, t, loc)
		res.Keep = append(res.Keep, keep...)
		res.Remove = append(res.Remove, remove...)

		for id, w := range why {
			res.Reasons[id] = w
		}
	}

	if opts.DryRun || len(res.Remove) == 0 {
		return res, nil
	}

	err = kopiarepo.WriteSession(ctx, r.kr, kopiarepo.WriteSessionOptions{Purpose: "sg365 forget"},
		func(ctx context.Context, w kopiarepo.RepositoryWriter) error {
			for _, s := range res.Remove {
				if err := w.DeleteManifest(ctx, manifest.ID(s.ID)); err != nil {
					return fmt.Errorf("delete snapshot %s: %w", s.ID, err)
				}
			}

			return nil
		})
	if err != nil {
		return ForgetResult{}, fmt.Errorf("forget: %w", err)
	}

	return res, nil
}
