package main

import (
	"context"
	"encoding/json"
	"time"

	"github.com/spf13/pflag"

	"github.com/safeguard365/safeguard365/internal/audit"
	"github.com/safeguard365/safeguard365/internal/userguard"
)

// CommentOptions are the flags of "sg365 alerts comment" and "sg365
// incidents comment".
type CommentOptions struct {
	TenantFlags
	Repo    RepoFlags
	Confirm bool
}

// AddFlags registers the command's flags.
func (o *CommentOptions) AddFlags(fs *pflag.FlagSet) {
	o.TenantFlags.AddFlags(fs)
	o.Repo.AddFlags(fs)
	fs.BoolVar(&o.Confirm, "confirm", false, "post the comment (without it, only print the call that would be made)")
}

// runTriage is the body of the alert and incident write commands (update,
// comment): connect, plan with a UserGuard responder (a read only), print
// the plan or, with confirm, run it audited. When the action hands back an
// alert, the stored copy is refreshed so "alerts list" shows it at once.
func runTriage(ctx context.Context, g GlobalOptions, tf TenantFlags, rf RepoFlags, confirm bool,
	plan func(*userguard.Responder) (*audit.Plan, error)) error {
	tc, err := connectTenant(ctx, g, tf)
	if err != nil {
		return err
	}
	c := tc.Graph
	r := &userguard.Responder{Graph: c}
	p, err := plan(r)
	if err != nil {
		return err
	}
	var after json.RawMessage
	err = runAudited(ctx, g, tc.TenantID, rf, p, !confirm, func() (audit.Outcome, error) {
		out, raw, err := r.Execute(ctx, p)
		after = raw
		return out, err
	})
	if err != nil || after == nil || p.Target.AlertID == "" {
		return err
	}
	rp, _, err := openRepo(ctx, rf, g)
	if err != nil {
		return err
	}
	defer rp.Close(ctx)
	info, err := c.TokenInfo(ctx)
	if err != nil {
		return err
	}
	if err := userguard.PutAlert(ctx, rp, info.TenantID, after, time.Now()); err != nil {
		g.Logger.Warn("the stored alert was not refreshed; the next sync will", "error", err)
	}
	return nil
}
