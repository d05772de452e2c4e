package inventory

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"

	"golang.org/x/sync/errgroup"

	"github.com/safeguard365/safeguard365/internal/graph"
)

// UserCounts is what one user holds.
type UserCounts struct {
	ID          string `json:"id"`
	UPN         string `json:"userPrincipalName"`
	DisplayName string `json:"displayName"`
	MailFolders int    `json:"mailFolders"`
	Messages    int    `json:"messages"`
	Files       int    `json:"files"`
	DriveBytes  int64  `json:"driveBytes"`
	// NoMailbox and NoDrive are set when the user has none (guests,
	// unlicensed users); Graph answers 404 for those.
	NoMailbox bool `json:"noMailbox,omitempty"`
	NoDrive   bool `json:"noDrive,omitempty"`
}

// Options tune Count.
type Options struct {
	// Workers is how many users are counted at once; default 8. The Graph
	// client's governor still limits requests per mailbox and drive.
	Workers int
}

// Count lists the tenant's users and counts each one's mailbox items (from
// the folders' totalItemCount, one request per folder) and OneDrive files
// (one drive delta round). Users are returned in UPN order.
func Count(ctx context.Context, c *graph.Client, opts Options) ([]UserCounts, error) {
	if opts.Workers <= 0 {
		opts.Workers = 8
	}
	var users []UserCounts
	for u, err := range c.Users(ctx, &graph.ListOptions{Select: []string{"id", "userPrincipalName", "displayName"}}) {
		if err != nil {
			return nil, fmt.Errorf("list users: %w", err)
		}
		users = append(users, UserCounts{ID: u.ID, UPN: u.UserPrincipalName, DisplayName: u.DisplayName})
	}
	slices.SortFunc(users, func(a, b UserCounts) int { return strings.Compare(a.UPN, b.UPN) })
	g, ctx := errgroup.WithContext(ctx)
	g.SetLimit(opts.Workers)
	var mu sync.Mutex // guards nothing shared but keeps the race detector honest about users[i]
	for i := range users {
		g.Go(func() error {
			u := users[i]
			if err := countMail(ctx, c, &u); err != nil {
				return err
			}
			if err := countDrive(ctx, c, &u); err != nil {
				return err
			}
			mu.Lock()
			users[i] = u
			mu.Unlock()
			return nil
		})
	}
	if err := g.Wait(); err != nil {
		return nil, err
	}
	return users, nil
}

func countMail(ctx context.Context, c *graph.Client, u *UserCounts) error {
	for f, err := range c.AllMailFolders(ctx, u.ID, false) {
		if graph.IsNotFound(err) {
			u.NoMailbox = true
			return nil
		}
		if err != nil {
			return fmt.Errorf("count mail of %s: %w", u.UPN, err)
		}
		u.MailFolders++
		u.Messages += f.TotalItemCount
	}
	return nil
}

func countDrive(ctx context.Context, c *graph.Client, u *UserCounts) error {
	d, err := c.UserDrive(ctx, u.ID)
	if graph.IsNotFound(err) {
		u.NoDrive = true
		return nil
	}
	if err != nil {
		return fmt.Errorf("find OneDrive of %s: %w", u.UPN, err)
	}
	round := c.DriveDelta(ctx, d.ID, "", &graph.DriveDeltaOptions{PageSize: 1000})
	for it, err := range round.All() {
		if err != nil {
			if errors.Is(err, context.Canceled) {
				return err
			}
			return fmt.Errorf("count OneDrive of %s: %w", u.UPN, err)
		}
		if it.Removed || it.Item.File == nil {
			continue
		}
		u.Files++
		u.DriveBytes += it.Item.Size
	}
	return nil
}
