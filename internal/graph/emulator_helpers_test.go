package graph_test

// Helpers for the emulator integration tests (emulator_*_test.go). These
// tests run the Graph client against internal/m365sim over real HTTPS with
// real OAuth: the client authenticates with the emulator's client secret (or
// certificate) through azidentity and trusts the emulator's CA. The client
// and the emulator share no code (DESIGN.md §2); only tests join them.

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"net/http"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/policy"

	"github.com/safeguard365/safeguard365/internal/graph"
	"github.com/safeguard365/safeguard365/internal/m365sim"
	"github.com/safeguard365/safeguard365/internal/m365sim/limits"
	"github.com/safeguard365/safeguard365/internal/m365sim/tenant"
	"github.com/safeguard365/safeguard365/internal/secret"
)

// scaledLimits returns Microsoft's real limits with every window and
// Retry-After shrunk by scale (60: a 10-minute window lasts 10 s).
func scaledLimits(scale float64) *limits.Config {
	cfg := limits.DefaultConfig()
	cfg.TimeScale = scale
	return &cfg
}

// emulatorConfig is the Config that points the client at l with its client
// secret, trusting the emulator's CA.
func emulatorConfig(l *m365sim.Listener) graph.Config {
	return graph.Config{
		TenantID:      l.TenantID,
		ClientID:      l.ClientID,
		Secret:        secret.New(l.ClientSecret),
		AuthorityHost: l.AuthorityHost,
		GraphURL:      l.GraphURL,
		CACerts:       l.CAPool(),
	}
}

// emulatorCredential is the credential cfg selects (client secret or
// certificate), built by graph.NewCredential over a transport that trusts
// the emulator's CA, for tests that wrap it.
func emulatorCredential(tb testing.TB, l *m365sim.Listener, cfg graph.Config) azcore.TokenCredential {
	tb.Helper()
	cred, err := graph.NewCredential(cfg, &http.Client{Transport: emulatorTransport(l)})
	if err != nil {
		tb.Fatalf("graph.NewCredential: %v", err)
	}
	return cred
}

// newEmulatorClient returns a Client for l's tenant, authenticated with the
// emulator's client secret. Backoff without a Retry-After is kept short so
// that tests take seconds; Retry-After values the emulator sends are
// honoured as they come.
func newEmulatorClient(tb testing.TB, l *m365sim.Listener, opts graph.Options) *graph.Client {
	tb.Helper()
	if opts.RetryBaseDelay == 0 {
		opts.RetryBaseDelay = 20 * time.Millisecond
	}
	if opts.RetryMaxDelay == 0 {
		opts.RetryMaxDelay = 500 * time.Millisecond
	}
	c, err := graph.New(emulatorConfig(l), opts)
	if err != nil {
		tb.Fatalf("graph.New: %v", err)
	}
	return c
}

// testCtx bounds a test: a hang fails it rather than the whole run.
func testCtx(tb testing.TB, d time.Duration) context.Context {
	tb.Helper()
	ctx, cancel := context.WithTimeout(tb.Context(), d)
	tb.Cleanup(cancel)
	return ctx
}

// emulatorTransport is a transport trusting the emulator's CA, for tests
// that wrap the client's transport.
func emulatorTransport(l *m365sim.Listener) *http.Transport {
	tr := http.DefaultTransport.(*http.Transport).Clone()
	tr.TLSClientConfig = &tls.Config{RootCAs: l.CAPool(), MinVersion: tls.VersionTLS12}
	tr.MaxIdleConnsPerHost = 64
	return tr
}

// countingCred counts the tokens the client asks its credential for.
type countingCred struct {
	inner azcore.TokenCredential
	n     atomic.Int32
}

func (c *countingCred) GetToken(ctx context.Context, o policy.TokenRequestOptions) (azcore.AccessToken, error) {
	c.n.Add(1)
	return c.inner.GetToken(ctx, o)
}

// mailboxUsers returns the ids of the tenant's live users with a mailbox,
// in creation order.
func mailboxUsers(tb testing.TB, l *m365sim.Listener) []string {
	tb.Helper()
	t := l.Server.Tenant()
	var ids []string
	t.Read(func() error {
		for _, u := range t.Users {
			if !u.Deleted && u.Mailbox != nil {
				ids = append(ids, u.ID)
			}
		}
		return nil
	})
	if len(ids) == 0 {
		tb.Fatal("emulated tenant has no mailbox")
	}
	return ids
}

// liveUserIDs returns the ids of every live user, guests included.
func liveUserIDs(l *m365sim.Listener) map[string]bool {
	t := l.Server.Tenant()
	ids := map[string]bool{}
	t.Read(func() error {
		for _, u := range t.Users {
			if !u.Deleted {
				ids[u.ID] = true
			}
		}
		return nil
	})
	return ids
}

// tenantMessages returns the immutable ids of the live messages in a
// user's folders below Top of Information Store (what mailFolders and its
// childFolders reach), mapped to their folder id.
func tenantMessages(l *m365sim.Listener, user string) map[string]string {
	t := l.Server.Tenant()
	out := map[string]string{}
	t.Read(func() error {
		mb := t.User(user).Mailbox
		root := mb.WellKnown["msgfolderroot"]
		under := func(f *tenant.MailFolder) bool {
			for p := f.ParentID; p != ""; p = mb.Folders[p].ParentID {
				if p == root {
					return true
				}
			}
			return false
		}
		seen := map[*tenant.Message]bool{} // Messages holds each message under two keys
		for _, m := range mb.Messages {
			if m.Deleted || seen[m] {
				continue
			}
			seen[m] = true
			if f := mb.Folders[m.FolderID]; f != nil && !f.Deleted && under(f) {
				out[m.ImmutableID] = m.FolderID
			}
		}
		return nil
	})
	return out
}

// summaryMessages is the emulator's own count of a user's messages.
func summaryMessages(l *m365sim.Listener, user string) int {
	for _, u := range l.Server.Summary().Users {
		if u.ID == user {
			return u.Messages
		}
	}
	return -1
}

// syncMailbox lists a mailbox's folder tree and runs a full message delta
// round on every folder, par rounds at a time, as a backup's first pass
// does. It returns how often each message id was seen and the number of
// folders.
func syncMailbox(ctx context.Context, c *graph.Client, user string, par int, opts *graph.DeltaOptions) (map[string]int, int, error) {
	var folders []graph.MailFolder
	for f, err := range c.AllMailFolders(ctx, user, true) {
		if err != nil {
			return nil, 0, fmt.Errorf("list folders of %s: %w", user, err)
		}
		folders = append(folders, f)
	}
	var (
		mu   sync.Mutex
		seen = map[string]int{}
		errs []error
		wg   sync.WaitGroup
		sem  = make(chan struct{}, par)
	)
	for _, f := range folders {
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer wg.Done()
			defer func() { <-sem }()
			round := c.MessagesDelta(ctx, user, f.ID, "", opts)
			n := 0
			for it, err := range round.All() {
				if err != nil {
					mu.Lock()
					errs = append(errs, fmt.Errorf("delta of folder %s: %w", f.DisplayName, err))
					mu.Unlock()
					return
				}
				if it.Removed {
					continue
				}
				if it.Item.ParentFolderID != f.ID {
					mu.Lock()
					errs = append(errs, fmt.Errorf("message %s in delta of %s says parent %s", it.ID, f.ID, it.Item.ParentFolderID))
					mu.Unlock()
				}
				n++
				mu.Lock()
				seen[it.ID]++
				mu.Unlock()
			}
			if round.DeltaLink() == "" {
				mu.Lock()
				errs = append(errs, fmt.Errorf("delta of folder %s: no deltaLink after %d items", f.DisplayName, n))
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	return seen, len(folders), errors.Join(errs...)
}

// compareIDs reports ids seen other than exactly once, and ids missing or
// unexpected, against want.
func compareIDs[V any](tb testing.TB, what string, seen map[string]int, want map[string]V) {
	tb.Helper()
	var dup, extra, missing []string
	for id, n := range seen {
		if _, ok := want[id]; !ok {
			extra = append(extra, id)
		} else if n != 1 {
			dup = append(dup, fmt.Sprintf("%s×%d", id, n))
		}
	}
	for id := range want {
		if seen[id] == 0 {
			missing = append(missing, id)
		}
	}
	sort.Strings(dup)
	sort.Strings(extra)
	sort.Strings(missing)
	if len(dup)+len(extra)+len(missing) > 0 {
		tb.Errorf("%s: %d seen, %d expected; duplicated %s; unexpected %s; missing %s",
			what, len(seen), len(want), head(dup), head(extra), head(missing))
	}
}

func head(s []string) string {
	if len(s) > 5 {
		return fmt.Sprintf("%v … (%d)", s[:5], len(s))
	}
	return fmt.Sprint(s)
}

// endpointStatus sums the emulator's counts of status on endpoints whose
// label contains substr ("" for all).
func endpointStatus(st limits.Stats, substr string, status int) int64 {
	var n int64
	for _, e := range st.Endpoints {
		if strings.Contains(e.Endpoint, substr) {
			n += e.Status[status]
		}
	}
	return n
}

// driveOf returns the id of a user's OneDrive.
func driveOf(tb testing.TB, l *m365sim.Listener, user string) string {
	tb.Helper()
	t := l.Server.Tenant()
	var id string
	t.Read(func() error {
		if u := t.User(user); u != nil && u.Drive != nil {
			id = u.Drive.ID
		}
		return nil
	})
	if id == "" {
		tb.Fatalf("user %s has no drive", user)
	}
	return id
}

// liveDriveItems returns the ids of a drive's live items, root included.
func liveDriveItems(l *m365sim.Listener, driveID string) map[string]bool {
	t := l.Server.Tenant()
	out := map[string]bool{}
	t.Read(func() error {
		for id, it := range t.Drives[driveID].Items {
			if !it.Deleted {
				out[id] = true
			}
		}
		return nil
	})
	return out
}

// addGeneratedFile puts a file of generated content in the root of a
// user's OneDrive through the tenant API and returns its item id.
func addGeneratedFile(tb testing.TB, l *m365sim.Listener, user, name string, blob tenant.Blob) string {
	tb.Helper()
	t := l.Server.Tenant()
	var id string
	err := t.Write(func() error {
		u := t.User(user)
		if u == nil || u.Drive == nil {
			return fmt.Errorf("user %s has no drive", user)
		}
		now := tenant.Timestamp(time.Now())
		it := &tenant.DriveItem{Name: name, Props: tenant.Props{
			"createdDateTime": now, "lastModifiedDateTime": now,
			"file": map[string]any{"mimeType": "application/octet-stream"},
		}}
		t.AddItem(u.Drive, u.Drive.Item("root"), it)
		t.SetContent(u.Drive, it, blob, time.Now())
		id = it.ID
		return nil
	})
	if err != nil {
		tb.Fatal(err)
	}
	return id
}

// readAllClose reads and closes rc.
func readAllClose(rc io.ReadCloser) ([]byte, error) {
	defer rc.Close()
	return io.ReadAll(rc)
}
