package graph_test

import (
	"errors"
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/safeguard365/safeguard365/internal/graph"
	"github.com/safeguard365/safeguard365/internal/m365sim"
	"github.com/safeguard365/safeguard365/internal/m365sim/limits"
)

// TestEmulatorParallelMailboxes backs up five mailboxes at once, eight
// folder rounds in flight per mailbox, against the emulator's real Outlook
// limits (four concurrent requests per mailbox). The governor's mailbox
// slots must keep the client from failing any call, and every message must
// be seen exactly once.
func TestEmulatorParallelMailboxes(t *testing.T) {
	l := m365sim.Start(t, m365sim.Options{Users: 5, Seed: 1, MessagesPerUser: 100, FilesPerUser: -1,
		Limits: scaledLimits(60)})
	c := newEmulatorClient(t, l, graph.Options{})
	ctx := testCtx(t, 60*time.Second)

	users := mailboxUsers(t, l)
	type result struct {
		seen    map[string]int
		folders int
		err     error
	}
	results := make([]result, len(users))
	var wg sync.WaitGroup
	for i, u := range users {
		wg.Go(func() {
			seen, folders, err := syncMailbox(ctx, c, u, 8, &graph.DeltaOptions{PageSize: 3})
			results[i] = result{seen, folders, err}
		})
	}
	wg.Wait()

	total := 0
	for i, u := range users {
		r := results[i]
		if r.err != nil {
			t.Errorf("mailbox %s: %v", u, r.err)
			continue
		}
		want := tenantMessages(l, u)
		if n := summaryMessages(l, u); n != len(want) {
			t.Errorf("mailbox %s: the emulator's summary counts %d messages, its tenant %d below the root", u, n, len(want))
		}
		compareIDs(t, "mailbox "+u, r.seen, want)
		total += len(want)
	}
	cs, es := c.Stats(), l.Stats()
	if cs.Failed != 0 {
		t.Errorf("client failed %d calls, want 0", cs.Failed)
	}
	throttled := es.Status[http.StatusTooManyRequests]
	t.Logf("%d mailboxes, %d messages; client: %d requests, %d retries, %d throttled; emulator: %d requests, %d answered 429",
		len(users), total, cs.Requests, cs.Retries, cs.Throttled, es.Requests, throttled)
	if total == 0 {
		t.Fatal("the tenant has no messages: the test proves nothing")
	}
	// The mailbox slots match the emulator's limit, but a slot is freed
	// when the client has read a response and the emulator frees its own
	// when its handler returns, so a rare 429 can slip through; more than
	// a few in a hundred means the governor is not gating.
	if throttled*50 > es.Requests {
		t.Errorf("emulator answered 429 to %d of %d requests; the governor should keep this near 0", throttled, es.Requests)
	}
}

// TestEmulatorFaultStorm pages through the users and runs full message delta
// rounds on every mailbox while the emulator answers 30 % of Graph requests
// with 429 or 503. Nothing may be lost or duplicated, and the retries must
// show in the client's Stats.
func TestEmulatorFaultStorm(t *testing.T) {
	l := m365sim.Start(t, m365sim.Options{Users: 3, Seed: 2, MessagesPerUser: 10, FilesPerUser: -1,
		Limits: scaledLimits(60),
		// Half of the Retry-After values are whole seconds (at least 1),
		// half a fraction of one second: about 0.75 s a fault.
		Faults: &limits.FaultConfig{Seed: 2, Rate429: .15, Rate503: .15, RetryAfter: time.Millisecond, FractionalRetryAfter: true}})
	// Injected faults are random, not a sign of load, yet the governor cuts
	// a mailbox's adaptive rate on each: left at the 0.2 req/s default
	// floor, a lane can sink below 1 req/s and the test takes over a
	// minute. The floor keeps the run to the Retry-After waits.
	c := newEmulatorClient(t, l, graph.Options{MinRate: 20})
	ctx := testCtx(t, 90*time.Second)

	var wg sync.WaitGroup
	wg.Go(func() {
		seen := map[string]int{}
		for u, err := range c.Users(ctx, &graph.ListOptions{Top: 1, Select: []string{"id", "userPrincipalName"}}) {
			if err != nil {
				t.Errorf("list users: %v", err)
				return
			}
			seen[u.ID]++
		}
		compareIDs(t, "users", seen, liveUserIDs(l))
	})
	users := mailboxUsers(t, l)
	total := 0
	for _, u := range users {
		want := tenantMessages(l, u)
		total += len(want)
		wg.Go(func() {
			seen, _, err := syncMailbox(ctx, c, u, 4, &graph.DeltaOptions{PageSize: 3})
			if err != nil {
				t.Errorf("mailbox %s: %v", u, err)
				return
			}
			compareIDs(t, "mailbox "+u, seen, want)
		})
	}
	wg.Wait()

	cs, es := c.Stats(), l.Stats()
	injected := es.Status[http.StatusTooManyRequests] + es.Status[http.StatusServiceUnavailable]
	t.Logf("%d messages in %d mailboxes; client: %d requests, %d retries, %d throttled, waited %v; emulator: %d requests, %d answered 429/503",
		total, len(users), cs.Requests, cs.Retries, cs.Throttled, cs.RetryWait, es.Requests, injected)
	if cs.Failed != 0 {
		t.Errorf("client failed %d calls, want 0", cs.Failed)
	}
	if cs.Retries == 0 || cs.Throttled == 0 {
		t.Errorf("client Stats show %d retries and %d throttles; the storm must be retried", cs.Retries, cs.Throttled)
	}
	if cs.Throttled != injected {
		t.Errorf("client counted %d throttles, the emulator sent %d", cs.Throttled, injected)
	}
	if cs.Retries != cs.Throttled {
		t.Errorf("client retried %d times for %d throttles; every throttle should be retried once", cs.Retries, cs.Throttled)
	}
	if frac := float64(injected) / float64(es.Requests); frac < .15 || frac > .45 {
		t.Errorf("emulator faulted %.0f %% of requests, want about 30 %%", 100*frac)
	}
}

// TestEmulatorTokenExpiryMidRound expires every issued access token in the
// middle of a delta round: the next page is answered 401
// InvalidAuthenticationToken, and the client must fetch one new token and
// finish the round without losing an item.
func TestEmulatorTokenExpiryMidRound(t *testing.T) {
	for _, tc := range []struct {
		name     string
		lifetime time.Duration // 0: the identity platform's 60-90 minutes
	}{
		// MSAL caches a token until 5 minutes before its expiry, so with a
		// long-lived token the credential hands back the rejected token
		// unless the client bypasses MSAL's cache.
		{"long-lived", 0},
		// Under 5 minutes MSAL does not cache; only our own cache does.
		{"short-lived", 4 * time.Minute},
	} {
		t.Run(tc.name, func(t *testing.T) {
			l := m365sim.Start(t, m365sim.Options{Users: 1, Seed: 3, MessagesPerUser: 150, FilesPerUser: -1,
				TokenLifetime: tc.lifetime, Limits: scaledLimits(60)})
			cred := &countingCred{inner: emulatorCredential(t, l, emulatorConfig(l))}
			c := newEmulatorClient(t, l, graph.Options{Credential: cred})
			ctx := testCtx(t, 30*time.Second)

			user := mailboxUsers(t, l)[0]
			all := tenantMessages(l, user)
			inbox := ""
			for _, f := range all {
				// The folder holding the most messages makes the longest round.
				if inbox == "" || count(all, f) > count(all, inbox) {
					inbox = f
				}
			}
			want := map[string]string{}
			for id, f := range all {
				if f == inbox {
					want[id] = f
				}
			}
			if len(want) < 12 {
				t.Fatalf("largest folder has %d messages; want at least 12 for a multi-page round", len(want))
			}

			seen := map[string]int{}
			round := c.MessagesDelta(ctx, user, inbox, "", &graph.DeltaOptions{PageSize: 3})
			for it, err := range round.All() {
				if err != nil {
					t.Fatalf("delta round after %d items: %v", len(seen), err)
				}
				seen[it.ID]++
				if len(seen) == 4 { // mid-page 2: the next request carries a dead token
					l.ExpireTokens()
				}
			}
			if round.DeltaLink() == "" {
				t.Error("round finished without a deltaLink")
			}
			compareIDs(t, "folder "+inbox, seen, want)

			es := l.Stats()
			if n := es.Status[http.StatusUnauthorized]; n != 1 {
				t.Errorf("emulator answered 401 %d times, want 1 (one rejected token, then a fresh one)", n)
			}
			if n := cred.n.Load(); n != 2 {
				t.Errorf("client asked for %d tokens, want 2 (the first and one refresh)", n)
			}
			if f := c.Stats().Failed; f != 0 {
				t.Errorf("client failed %d calls", f)
			}
		})
	}
}

func count(m map[string]string, v string) int {
	n := 0
	for _, x := range m {
		if x == v {
			n++
		}
	}
	return n
}

// TestEmulatorResync expires the delta token of a mail folder and of a
// drive between two rounds. The next round must fail with an error for
// which IsResyncRequired is true and that carries the Location to restart
// from; a full round from that Location must then enumerate everything.
func TestEmulatorResync(t *testing.T) {
	l := m365sim.Start(t, m365sim.Options{Users: 1, Seed: 4, MessagesPerUser: 30, FilesPerUser: 8,
		Limits: scaledLimits(60)})
	c := newEmulatorClient(t, l, graph.Options{})
	ctx := testCtx(t, 30*time.Second)
	user := mailboxUsers(t, l)[0]
	msgs := tenantMessages(l, user)
	var folder string
	for _, f := range msgs {
		folder = f
		break
	}
	if folder == "" {
		t.Fatal("no message in the mailbox")
	}
	wantMsgs := map[string]bool{}
	for id, f := range msgs {
		if f == folder {
			wantMsgs[id] = true
		}
	}
	drive := driveOf(t, l, user)

	for _, tc := range []struct {
		name      string
		container string
		want      map[string]bool
		round     func(link string) (map[string]int, string, error)
	}{
		{"mail folder", folder, wantMsgs, func(link string) (map[string]int, string, error) {
			r := c.MessagesDelta(ctx, user, folder, link, &graph.DeltaOptions{PageSize: 7})
			seen := map[string]int{}
			for it, err := range r.All() {
				if err != nil {
					return seen, "", err
				}
				if !it.Removed {
					seen[it.ID]++
				}
			}
			return seen, r.DeltaLink(), nil
		}},
		{"drive", drive, liveDriveItems(l, drive), func(link string) (map[string]int, string, error) {
			// One page per round: paging is TestEmulatorDriveDeltaPaging's.
			r := c.DriveDelta(ctx, drive, link, nil)
			seen := map[string]int{}
			for it, err := range r.All() {
				if err != nil {
					return seen, "", err
				}
				if !it.Removed {
					seen[it.ID]++
				}
			}
			return seen, r.DeltaLink(), nil
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			seen, link, err := tc.round("")
			if err != nil {
				t.Fatalf("first round: %v", err)
			}
			compareIDs(t, "first round", seen, tc.want)
			if link == "" {
				t.Fatal("first round gave no deltaLink")
			}
			// An unexpired token: the next round is empty.
			if seen, link, err = tc.round(link); err != nil || len(seen) != 0 || link == "" {
				t.Fatalf("second round: %d items, link %t, err %v; want an empty round", len(seen), link != "", err)
			}

			if err := l.ExpireDelta(tc.container); err != nil {
				t.Fatal(err)
			}
			_, next, err := tc.round(link)
			if !graph.IsResyncRequired(err) {
				t.Fatalf("round after expiry: err %v, want one for which IsResyncRequired is true", err)
			}
			if next != "" {
				t.Errorf("failed round returned deltaLink %q", next)
			}
			var apiErr *graph.APIError
			if !errors.As(err, &apiErr) {
				t.Fatalf("err is %T, want *graph.APIError", err)
			}
			if apiErr.Status != http.StatusGone || apiErr.Location == "" {
				t.Fatalf("APIError status %d, Location %q; want 410 with the restart Location", apiErr.Status, apiErr.Location)
			}

			seen, link, err = tc.round(apiErr.Location)
			if err != nil {
				t.Fatalf("full round from Location: %v", err)
			}
			compareIDs(t, "round from Location", seen, tc.want)
			if link == "" {
				t.Error("full round from Location gave no deltaLink")
			}
		})
	}
}
