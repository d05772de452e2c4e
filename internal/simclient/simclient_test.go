package simclient

import (
	"testing"

	"github.com/safeguard365/safeguard365/internal/m365sim"
)

func TestTestClientSignsIn(t *testing.T) {
	l := m365sim.Start(t, m365sim.Options{Users: 1, Seed: 2})
	c := TestClient(t, l)
	org, err := c.Organization(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	if org.ID != l.TenantID {
		t.Errorf("organization %s, want tenant %s", org.ID, l.TenantID)
	}
}
