package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/spf13/pflag"
)

func TestResolveTenantPrecedence(t *testing.T) {
	dir := t.TempDir()
	cfg := filepath.Join(dir, "config.yaml")
	writeTestFile(t, cfg, `default_tenant: lab
tenants:
  - name: lab
    tenant_id: lab.example
    client_id: file-client
    client_secret_file: lab.secret
`)
	writeTestFile(t, filepath.Join(dir, "lab.secret"), "file-secret\n")
	writeTestFile(t, filepath.Join(dir, "flag.secret"), "flag-secret\n")
	for _, k := range []string{"SG365_CONFIG", "SG365_TENANT", "SG365_TENANT_ID", "SG365_CLIENT_ID", "SG365_CLIENT_SECRET",
		"SG365_CLIENT_SECRET_FILE", "SG365_CERT_PATH", "SG365_CERT_PASSWORD", "SG365_GRAPH_URL", "AZURE_AUTHORITY_HOST"} {
		t.Setenv(k, "")
	}
	t.Setenv("SG365_CONFIG", cfg)
	t.Setenv("SG365_CLIENT_ID", "env-client")

	var tf TenantFlags
	fs := pflag.NewFlagSet("t", pflag.ContinueOnError)
	tf.AddFlags(fs)
	if err := fs.Parse([]string{"--client-secret-file", filepath.Join(dir, "flag.secret")}); err != nil {
		t.Fatal(err)
	}
	g, _, stderr := testGlobals(t, false)
	s, err := resolveTenant(g, tf)
	if err != nil {
		t.Fatalf("resolveTenant: %v", err)
	}
	if s.Name != "lab" || s.TenantID != "lab.example" || s.ClientID != "env-client" || s.ClientSecret.Reveal() != "flag-secret" {
		t.Errorf("settings = %+v (secret %q)", s, s.ClientSecret.Reveal())
	}
	if strings.Contains(stderr.String(), "secret\n") || strings.Contains(stderr.String(), "flag-secret") {
		t.Errorf("debug log shows the secret: %s", stderr.String())
	}

	g.ConfigPath = filepath.Join(dir, "missing.yaml")
	if _, err := resolveTenant(g, TenantFlags{}); err == nil || !strings.Contains(err.Error(), "missing.yaml") {
		t.Errorf("missing --config file: err %v", err)
	}
}

func writeTestFile(tb testing.TB, path, content string) {
	tb.Helper()
	if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
		tb.Fatal(err)
	}
}
