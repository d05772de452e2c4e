package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"slices"

	"github.com/safeguard365/safeguard365/internal/posture"
	"github.com/safeguard365/safeguard365/internal/repo"
	"github.com/safeguard365/safeguard365/internal/tenantguard"
)

// assessIn is what "sg365 assess" grades, and where it records findings.
type assessIn struct {
	inv  *posture.Inventory
	repo *repo.Repository // nil: findings are not recorded
}

// assessInput reads the inventory from --inventory, --snapshot or the
// tenant, and opens the repository when findings are to be recorded.
func assessInput(ctx context.Context, opts AssessOptions, g GlobalOptions) (assessIn, error) {
	if opts.Inventory != "" {
		inv, err := posture.LoadInventory(opts.Inventory)
		if err != nil {
			return assessIn{}, fmt.Errorf("load inventory: %w", err)
		}
		return assessIn{inv: inv}, nil
	}
	var r *repo.Repository
	if opts.Snapshot != "" || !opts.NoHistory {
		var err error
		if r, _, err = openRepo(ctx, opts.Repo, g); err != nil {
			if opts.Snapshot == "" {
				return assessIn{}, fmt.Errorf("open the repository to record findings (or use --no-history): %w", err)
			}
			return assessIn{}, err
		}
	}
	inv, err := readAssessInventory(ctx, r, opts, g)
	if err != nil {
		if r != nil {
			r.Close(ctx)
		}
		return assessIn{}, err
	}
	if opts.NoHistory && r != nil {
		r.Close(ctx)
		r = nil
	}
	return assessIn{inv: inv, repo: r}, nil
}

func readAssessInventory(ctx context.Context, r *repo.Repository, opts AssessOptions, g GlobalOptions) (*posture.Inventory, error) {
	if opts.Snapshot != "" {
		return snapshotInventory(ctx, r, opts, g)
	}
	tc, err := connectTenant(ctx, g, opts.TenantFlags)
	if err != nil {
		return nil, err
	}
	c, tenantID := tc.Graph, tc.TenantID
	inv, err := tenantguard.CollectInventory(ctx, c, tenantguard.InventoryOptions{
		Options:   tenantguard.Options{TenantID: tenantID, Workers: opts.Workers},
		Collector: "sg365 " + buildVersion().Version,
	})
	if err != nil {
		return nil, err
	}
	if err := nothingCollected(inv); err != nil {
		return nil, fmt.Errorf("tenant %s: %w", tenantID, err)
	}
	return inv, nil
}

// nothingCollected fails an inventory where every source failed: the
// tenant could not be reached at all (bad credentials, wrong URL), which is
// a fatal error rather than a report of 34 unknown rules.
func nothingCollected(inv *posture.Inventory) error {
	var first string
	for _, k := range slices.Sorted(maps.Keys(inv.Sources)) {
		st := inv.Sources[k]
		if st.Status == posture.SourceOK {
			return nil
		}
		if first == "" && st.Error != "" {
			first = k + ": " + st.Error
		}
	}
	return fmt.Errorf("nothing could be read from the tenant (%s)", first)
}

// snapshotInventory builds the inventory of a stored snapshot: a
// configuration snapshot with the context it lacks read live, or the
// inventory an earlier assessment stored.
func snapshotInventory(ctx context.Context, r *repo.Repository, opts AssessOptions, g GlobalOptions) (*posture.Inventory, error) {
	info, err := findSnapshot(ctx, r, opts.Snapshot)
	if err != nil {
		return nil, err
	}
	switch info.Source.Workload {
	case posture.Workload:
		return posture.ReadStoredInventory(ctx, r, info.ID)
	case tenantguard.Workload:
	default:
		return nil, fmt.Errorf("snapshot %s is a %s backup, not a configuration snapshot", shortID(info.ID), info.Source.Workload)
	}
	st, err := tenantguard.Load(ctx, r, info.ID)
	if err != nil {
		return nil, err
	}
	return tenantguard.InventoryFromState(st, liveContext(ctx, opts, g, st.TenantID)), nil
}

// liveContext reads the context kinds of tenantID live. When the tenant
// cannot be reached, or the flags select another tenant, it returns them
// as failed, so the rules that need them report error and the others run.
func liveContext(ctx context.Context, opts AssessOptions, g GlobalOptions, tenantID string) *tenantguard.State {
	tc, err := connectTenant(ctx, g, opts.TenantFlags)
	c, live := tc.Graph, tc.TenantID
	if err == nil && live != tenantID {
		err = fmt.Errorf("the tenant flags select tenant %s, not the snapshot's", live)
	}
	if err == nil {
		st, cerr := tenantguard.CollectContext(ctx, c, tenantguard.InventoryOptions{
			Options: tenantguard.Options{TenantID: tenantID, Workers: opts.Workers}})
		if cerr == nil {
			return st
		}
		err = cerr
	}
	g.Logger.Warn("context the configuration snapshot lacks could not be read live; rules that need it report error",
		"kinds", tenantguard.ContextKindNames(), "err", err)
	st := &tenantguard.State{TenantID: tenantID, Kinds: map[string]tenantguard.KindResult{}}
	for _, n := range tenantguard.ContextKindNames() {
		st.Kinds[n] = tenantguard.KindResult{Status: tenantguard.StatusError,
			Error: "not in the configuration snapshot, and not read live: " + err.Error()}
	}
	return st
}

// writeInventory writes inv as an indented inventory document.
func writeInventory(w io.Writer, inv *posture.Inventory) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	return enc.Encode(inv)
}
