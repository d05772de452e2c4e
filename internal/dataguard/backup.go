package dataguard

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"strings"

	"golang.org/x/sync/errgroup"

	"github.com/safeguard365/safeguard365/internal/graph"
	"github.com/safeguard365/safeguard365/internal/repo"
)

// run is one Backup call.
type run struct {
	c    *graph.Client
	r    *repo.Repository
	opts BackupOptions
}

// Backup backs up the chosen workloads of the chosen users into r, one
// snapshot per user and workload, each continuing the previous snapshot of
// its resource (see the package documentation). Workers resources run at
// once.
//
// Failures of single items, folders or resources do not stop the run:
// they are listed in the Summary and the snapshots' state and retried by
// the next run, and Backup then returns an error wrapping ErrPartial. A
// user without a mailbox or OneDrive is skipped, which is not a failure.
// When ctx is cancelled Backup stops and returns ctx's error: snapshots
// already committed stay, the others are not written, and the next run
// does their work again. Other errors (invalid options, the user list
// cannot be read) mean nothing was backed up.
func Backup(ctx context.Context, c *graph.Client, r *repo.Repository, opts BackupOptions) (Summary, error) {
	opts = opts.withDefaults()
	sum := Summary{RunID: opts.RunID, Tenant: opts.TenantID, Start: opts.Now()}
	if err := opts.validate(); err != nil {
		return sum, fmt.Errorf("backup: %w", err)
	}
	b := &run{c: c, r: r, opts: opts}
	before := c.Stats()

	users, missing, err := b.users(ctx)
	if err != nil {
		return sum, fmt.Errorf("backup: %w", err)
	}
	var jobs []Resource
	for _, u := range users {
		for _, w := range opts.Workloads {
			jobs = append(jobs, Resource{Workload: w, ID: u.ID, Name: u.UserPrincipalName})
		}
	}
	opts.Reporter.Planned(len(missing) + len(jobs))
	for _, s := range missing {
		opts.Reporter.ResourceDone(s)
	}
	results := make([]ResourceSummary, len(jobs))
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(opts.Workers)
	for i, res := range jobs {
		if gctx.Err() != nil {
			break
		}
		g.Go(func() error {
			s, err := b.backupResource(gctx, res)
			results[i] = s
			return err
		})
	}
	werr := g.Wait()

	for _, s := range append(missing, results...) {
		if s.Resource.ID == "" && s.Resource.Name == "" {
			continue // not started: the run was cancelled
		}
		sum.Resources = append(sum.Resources, s)
		sum.Total.add(s.Counts)
		if s.Status == StatusFailed {
			sum.FailedResources++
		}
	}
	after := c.Stats()
	sum.Graph = GraphCounts{Requests: after.Requests - before.Requests, Retries: after.Retries - before.Retries,
		Throttled: after.Throttled - before.Throttled, BytesDown: after.BytesDown - before.BytesDown}
	sum.End = opts.Now()
	sum.Seconds = sum.End.Sub(sum.Start).Seconds()

	if werr == nil {
		werr = ctx.Err()
	}
	if werr != nil {
		return sum, fmt.Errorf("backup: %w", werr)
	}
	partial := 0
	for _, s := range sum.Resources {
		if s.Status == StatusPartial {
			partial++
		}
	}
	if sum.FailedResources > 0 || partial > 0 {
		return sum, fmt.Errorf("%w: %d of %d resources failed, %d incomplete (%d items failed)",
			ErrPartial, sum.FailedResources, len(sum.Resources), partial, sum.Total.Failed)
	}
	return sum, nil
}

// userSelect is what Backup reads of each user.
var userSelect = []string{"id", "userPrincipalName", "displayName", "userType"}

// users resolves opts.Users, or lists the tenant's members. Users that
// cannot be found come back as failed resource summaries.
func (b *run) users(ctx context.Context) ([]graph.User, []ResourceSummary, error) {
	var users []graph.User
	var missing []ResourceSummary
	if len(b.opts.Users) == 0 {
		for u, err := range b.c.Users(ctx, &graph.ListOptions{Select: userSelect}) {
			if err != nil {
				return nil, nil, fmt.Errorf("list users: %w", err)
			}
			if !strings.EqualFold(u.UserType, "Guest") {
				users = append(users, u)
			}
		}
	} else {
		for _, name := range b.opts.Users {
			u, err := b.c.User(ctx, name, &graph.GetOptions{Select: userSelect})
			if err != nil {
				if ctx.Err() != nil {
					return nil, nil, ctx.Err()
				}
				msg := err.Error()
				if graph.IsNotFound(err) {
					msg = "user not found"
				}
				for _, w := range b.opts.Workloads {
					missing = append(missing, ResourceSummary{Resource: Resource{Workload: w, Name: name},
						Status: StatusFailed, Error: msg, Start: b.opts.Now()})
				}
				continue
			}
			users = append(users, *u)
		}
	}
	slices.SortFunc(users, func(a, b graph.User) int {
		return cmp.Or(cmp.Compare(strings.ToLower(a.UserPrincipalName), strings.ToLower(b.UserPrincipalName)),
			cmp.Compare(a.ID, b.ID))
	})
	users = slices.CompactFunc(users, func(a, b graph.User) bool { return a.ID == b.ID })
	return users, missing, nil
}
