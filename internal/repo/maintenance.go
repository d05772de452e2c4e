package repo

import (
	"context"
	"fmt"

	kopiarepo "github.com/kopia/kopia/repo"
	"github.com/kopia/kopia/repo/maintenance"
	"github.com/kopia/kopia/snapshot/snapshotmaintenance"
)

// ClaimMaintenance makes this client ("sg365@<Hostname>") the repository's
// maintenance owner. kopia lets only the owner run maintenance, so that two
// machines never compact or delete at the same time. Init claims it; call
// this only to move maintenance to another machine, after stopping it on the
// old one.
func (r *Repository) ClaimMaintenance(ctx context.Context) error {
	err := kopiarepo.WriteSession(ctx, r.kr, kopiarepo.WriteSessionOptions{Purpose: "sg365 claim maintenance"},
		func(ctx context.Context, w kopiarepo.RepositoryWriter) error {
			p, err := maintenance.GetParams(ctx, w)
			if err != nil {
				return err
			}

			p.Owner = r.kr.ClientOptions().UsernameAtHost()

			return maintenance.SetParams(ctx, w, p)
		})
	if err != nil {
		return fmt.Errorf("claim maintenance of %s: %w", r.loc, err)
	}

	return nil
}

// Maintenance runs kopia's maintenance: quick (compacts indexes, deletes
// packs left by aborted or crashed sessions) or, with full, also snapshot GC
// (marks contents no snapshot refers to any more, e.g. after Forget) and the
// rewriting and deletion that frees their space.
//
// It uses kopia's full safety margins, so it is safe while backups run: data
// younger than about a day is never deleted, and freeing space after Forget
// takes two full runs some hours apart. It returns ErrNotMaintenanceOwner if
// another client owns maintenance. A repository nobody owns is claimed.
func (r *Repository) Maintenance(ctx context.Context, full bool) error {
	if err := r.ensureOwner(ctx); err != nil {
		return err
	}

	mode := maintenance.ModeQuick
	if full {
		mode = maintenance.ModeFull
	}

	err := kopiarepo.DirectWriteSession(ctx, r.kr, kopiarepo.WriteSessionOptions{Purpose: "sg365 maintenance"},
		func(ctx context.Context, dw kopiarepo.DirectRepositoryWriter) error {
			return snapshotmaintenance.Run(ctx, dw, mode, false, r.safety)
		})
	if err != nil {
		return fmt.Errorf("%s maintenance of %s: %w", mode, r.loc, err)
	}

	return nil
}

func (r *Repository) ensureOwner(ctx context.Context) error {
	p, err := maintenance.GetParams(ctx, r.kr)
	if err != nil {
		return fmt.Errorf("maintenance of %s: %w", r.loc, err)
	}

	switch me := r.kr.ClientOptions().UsernameAtHost(); p.Owner {
	case me:
		return nil
	case "":
		return r.ClaimMaintenance(ctx)
	default:
		return fmt.Errorf("maintenance of %s: %w: owner is %q, this client is %q", r.loc, ErrNotMaintenanceOwner, p.Owner, me)
	}
}
