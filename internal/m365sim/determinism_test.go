package m365sim

import "testing"

// The same seed must give the same tenant and app ids, so that an admin's
// saved config keeps working against a restarted emulator.
func TestSameSeedSameIdentity(t *testing.T) {
	a, err := New(Options{Users: 3, Seed: 42})
	if err != nil {
		t.Fatal(err)
	}
	b, err := New(Options{Users: 3, Seed: 42})
	if err != nil {
		t.Fatal(err)
	}
	c, err := New(Options{Users: 3, Seed: 43})
	if err != nil {
		t.Fatal(err)
	}
	if a.Tenant().ID != b.Tenant().ID || a.App().ClientID != b.App().ClientID {
		t.Errorf("seed 42 twice: tenant %s/%s, client %s/%s", a.Tenant().ID, b.Tenant().ID, a.App().ClientID, b.App().ClientID)
	}
	if a.Tenant().ID == c.Tenant().ID || a.App().ClientID == c.App().ClientID {
		t.Error("seeds 42 and 43 gave the same ids")
	}
	if a.App().ClientSecret == b.App().ClientSecret {
		t.Error("client secrets must be random per start, not derived from the seed")
	}
}
