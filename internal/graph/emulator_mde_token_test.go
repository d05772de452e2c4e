package graph_test

import (
	"net/http"
	"testing"
	"time"

	"github.com/safeguard365/safeguard365/internal/graph"
	"github.com/safeguard365/safeguard365/internal/m365sim"
)

// TestEmulatorMDETokenExpiry expires every issued token between two calls
// to the Defender for Endpoint host, which answers 401 with the code
// "Unauthorized" rather than Graph's InvalidAuthenticationToken. The MDE
// client must fetch one fresh token and succeed.
func TestEmulatorMDETokenExpiry(t *testing.T) {
	l := m365sim.Start(t, m365sim.Options{Users: 3, Seed: 7, MessagesPerUser: -1, FilesPerUser: -1})
	cred := &countingCred{inner: emulatorCredential(t, l, emulatorConfig(l))}
	c := newEmulatorClient(t, l, graph.Options{Credential: cred})
	m, err := c.MDE(l.URL + "/api")
	if err != nil {
		t.Fatal(err)
	}
	ctx := testCtx(t, 30*time.Second)
	count := func() int {
		n := 0
		for _, err := range m.Machines(ctx, "") {
			if err != nil {
				t.Fatalf("list machines: %v", err)
			}
			n++
		}
		return n
	}
	first := count()
	if first == 0 {
		t.Fatal("the emulator has no machines")
	}
	l.ExpireTokens()
	if n := count(); n != first {
		t.Fatalf("after expiry: %d machines, want %d", n, first)
	}
	if n := l.Stats().Status[http.StatusUnauthorized]; n != 1 {
		t.Errorf("emulator answered 401 %d times, want 1", n)
	}
	if n := cred.n.Load(); n != 2 {
		t.Errorf("client asked for %d tokens, want 2 (the first and one refresh)", n)
	}
	if f := m.Stats().Failed; f != 0 {
		t.Errorf("MDE client failed %d calls", f)
	}
}
