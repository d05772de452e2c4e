package graph

import "testing"

func TestForResource(t *testing.T) {
	c, err := New(Config{GraphURL: "https://graph.example.test/v1.0"}, Options{Credential: &fakeCred{}})
	if err != nil {
		t.Fatal(err)
	}
	m, err := c.MDE("")
	if err != nil {
		t.Fatal(err)
	}
	if m.BaseURL() != MDEURL || m.origin != "https://api.securitycenter.microsoft.com" || m.gov != c.gov {
		t.Errorf("MDE client: base %s origin %s", m.BaseURL(), m.origin)
	}
	if got := m.tokens.scopes; len(got) != 1 || got[0] != "https://api.securitycenter.microsoft.com/.default" {
		t.Errorf("MDE scope %v", got)
	}
	if c.tokens.scopes[0] != "https://graph.microsoft.com/.default" {
		t.Errorf("Graph scope changed: %v", c.tokens.scopes)
	}
	// A Graph nextLink never gets the MDE token, and the other way round.
	if m.sameOrigin("https://graph.example.test/v1.0/users") || c.sameOrigin(MDEURL+"/machines") {
		t.Error("origins shared")
	}
	for _, bad := range []string{"http://api.example.test/api", "not a url", "/api"} {
		if _, err := c.ForResource(bad, "x/.default"); err == nil {
			t.Errorf("ForResource(%q): no error", bad)
		}
	}
	if _, err := c.ForResource("http://127.0.0.1:8080/api", "x/.default"); err != nil {
		t.Errorf("loopback http: %v", err)
	}
	if got := c.betaURL("/deviceManagement/managedDevices/1/detectedApps"); got != "https://graph.example.test/beta/deviceManagement/managedDevices/1/detectedApps" {
		t.Errorf("betaURL: %s", got)
	}
}
