package graph_test

import (
	"errors"
	"testing"
	"time"

	"github.com/safeguard365/safeguard365/internal/graph"
	"github.com/safeguard365/safeguard365/internal/m365sim"
)

// TestEmulatorIdentityAccounts lists, filters, gets and acts on Defender for
// Identity accounts, and checks that a missing permission is ErrForbidden.
func TestEmulatorIdentityAccounts(t *testing.T) {
	l := m365sim.Start(t, m365sim.Options{Users: 4, Seed: 11, MessagesPerUser: -1, FilesPerUser: -1})
	c := newEmulatorClient(t, l, graph.Options{})
	ctx := testCtx(t, 30*time.Second)
	var all []graph.IdentityAccount
	for a, err := range c.IdentityAccounts(ctx, "") {
		if err != nil {
			t.Fatal(err)
		}
		all = append(all, a)
	}
	if len(all) < 6 {
		t.Fatalf("%d identity accounts", len(all))
	}
	first := all[0]
	ad, ok := first.Account(graph.IdentityProviderActiveDirectory)
	if !ok || ad.Identifier == "" || first.OnPremisesSecurityIdentifier == "" || first.UserPrincipalName == "" || len(first.Raw) == 0 {
		t.Fatalf("first account: %+v", first)
	}
	var n int
	for a, err := range c.IdentityAccounts(ctx, "onPremisesSecurityIdentifier eq '"+first.OnPremisesSecurityIdentifier+"'") {
		if err != nil {
			t.Fatal(err)
		}
		if a.ID != first.ID {
			t.Errorf("filter by SID gave %s", a.ID)
		}
		n++
	}
	if n != 1 {
		t.Errorf("filter by SID: %d accounts", n)
	}

	res, err := c.InvokeIdentityAccountAction(ctx, first.ID, graph.IdentityAction{AccountID: ad.Identifier,
		Action: graph.IdentityActionDisable, IdentityProvider: graph.IdentityProviderActiveDirectory})
	if err != nil {
		t.Fatal(err)
	}
	if res.AccountID != ad.Identifier || res.Action != "disable" || res.IdentityProvider != "activeDirectory" || res.CorrelationID == "" {
		t.Errorf("result: %+v", res)
	}
	got, err := c.IdentityAccount(ctx, first.ID)
	if err != nil || got.IsEnabled {
		t.Errorf("after disable: %+v, %v", got, err)
	}
	_, err = c.InvokeIdentityAccountAction(ctx, first.ID, graph.IdentityAction{AccountID: ad.Identifier,
		Action: "revokeAllSessions", IdentityProvider: graph.IdentityProviderActiveDirectory})
	var apiErr *graph.APIError
	if !errors.As(err, &apiErr) || apiErr.Status != 400 {
		t.Errorf("unsupported action: %v", err)
	}
	if _, err := c.IdentityAccount(ctx, "no-such-id"); !errors.Is(err, graph.ErrNotFound) {
		t.Errorf("unknown id: %v", err)
	}

	ro := m365sim.Start(t, m365sim.Options{Users: 2, Seed: 11, MessagesPerUser: -1, FilesPerUser: -1,
		Roles: []string{"SecurityIdentitiesAccount.Read.All"}})
	rc := newEmulatorClient(t, ro, graph.Options{})
	_, err = rc.InvokeIdentityAccountAction(ctx, first.ID, graph.IdentityAction{AccountID: ad.Identifier,
		Action: graph.IdentityActionDisable, IdentityProvider: graph.IdentityProviderActiveDirectory})
	if !errors.Is(err, graph.ErrForbidden) {
		t.Errorf("without SecurityIdentitiesActions.ReadWrite.All: %v", err)
	}
}
