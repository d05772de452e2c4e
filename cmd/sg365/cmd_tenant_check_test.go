package main

import (
	"encoding/json"
	"errors"
	"path/filepath"
	"strings"
	"testing"

	"github.com/safeguard365/safeguard365/internal/m365sim"
)

// tenantEnv points the tenant settings at an emulator through the
// environment, as an admin would with a real tenant.
func tenantEnv(t *testing.T, l *m365sim.Listener) {
	t.Helper()
	ca := filepath.Join(t.TempDir(), "ca.pem")
	if err := l.CA.WriteCAFile(ca); err != nil {
		t.Fatal(err)
	}
	t.Setenv("SG365_CONFIG", "")
	t.Setenv("XDG_CONFIG_HOME", t.TempDir()) // no config file: settings come from the environment
	t.Setenv("SG365_TENANT_ID", l.TenantID)
	t.Setenv("SG365_CLIENT_ID", l.ClientID)
	t.Setenv("SG365_CLIENT_SECRET", l.ClientSecret)
	t.Setenv("SG365_GRAPH_URL", l.GraphURL)
	t.Setenv("AZURE_AUTHORITY_HOST", l.AuthorityHost)
	t.Setenv("SG365_CA_FILE", ca)
}

func TestTenantCheckAllGranted(t *testing.T) {
	l := m365sim.Start(t, m365sim.Options{Users: 2, Seed: 3})
	tenantEnv(t, l)
	g, stdout, _ := testGlobals(t, false)
	if err := runTenantCheck(t.Context(), TenantCheckOptions{}, g); err != nil {
		t.Fatalf("tenant test: %v\n%s", err, stdout.String())
	}
	out := stdout.String()
	if strings.Contains(out, "FAIL") || strings.Contains(out, "MISSING") || !strings.Contains(out, "read a OneDrive") {
		t.Fatalf("report:\n%s", out)
	}
}

func TestTenantCheckMissingPermission(t *testing.T) {
	l := m365sim.Start(t, m365sim.Options{Users: 2, Seed: 3, Roles: []string{"User.Read.All", "Organization.Read.All", "Mail.Read"}})
	tenantEnv(t, l)
	g, stdout, _ := testGlobals(t, true)
	err := runTenantCheck(t.Context(), TenantCheckOptions{}, g)
	if err == nil {
		t.Fatal("missing permissions reported success")
	}
	if !errors.Is(err, errPartial) && exitCode(err) != 1 {
		t.Fatalf("err = %v (exit %d)", err, exitCode(err))
	}
	var failedDrive, missingFiles bool
	for _, line := range strings.Split(strings.TrimSpace(stdout.String()), "\n") {
		var m map[string]any
		if json.Unmarshal([]byte(line), &m) != nil {
			t.Fatalf("not JSON: %q", line)
		}
		if m["step"] == "read a OneDrive" && m["ok"] == false {
			failedDrive = true
		}
		if m["capability"] == "back up OneDrive" && m["granted"] == false && m["missing"] == "Files.Read.All" {
			missingFiles = true
		}
	}
	if !failedDrive || !missingFiles {
		t.Fatalf("report lacks the failed OneDrive read or the missing Files.Read.All:\n%s", stdout.String())
	}
}

func TestTenantCheckBadSecret(t *testing.T) {
	l := m365sim.Start(t, m365sim.Options{Users: 1, Seed: 3})
	tenantEnv(t, l)
	t.Setenv("SG365_CLIENT_SECRET", "wrong")
	g, stdout, _ := testGlobals(t, false)
	err := runTenantCheck(t.Context(), TenantCheckOptions{}, g)
	if err == nil || exitCode(err) != 1 || strings.Contains(stdout.String()+err.Error(), l.ClientSecret) {
		t.Fatalf("bad secret: err %v (exit %d)\n%s", err, exitCode(err), stdout.String())
	}
	if !strings.Contains(stdout.String(), "FAIL  sign in") {
		t.Fatalf("report:\n%s", stdout.String())
	}
}

// TestTenantCheckGuards grants exactly DataGuard's permissions: checking
// core and DataGuard succeeds although the optional sharing permission is
// missing, and checking every guard reports the others' as missing.
func TestTenantCheckGuards(t *testing.T) {
	l := m365sim.Start(t, m365sim.Options{Users: 2, Seed: 3, Roles: []string{"User.Read.All", "Organization.Read.All",
		"Mail.ReadWrite", "Calendars.ReadWrite", "Contacts.ReadWrite", "Files.ReadWrite.All"}})
	tenantEnv(t, l)

	g, stdout, _ := testGlobals(t, false)
	opts := TenantCheckOptions{Guards: []string{"core", "DATAGUARD"}}
	if err := opts.Validate(); err != nil {
		t.Fatal(err)
	}
	if err := runTenantCheck(t.Context(), opts, g); err != nil {
		t.Fatalf("core and DataGuard: %v\n%s", err, stdout.String())
	}
	out := stdout.String()
	if strings.Contains(out, "MISSING") || strings.Contains(out, "UserGuard") ||
		!strings.Contains(out, "optional, not granted: Sites.FullControl.All") {
		t.Errorf("core and DataGuard report:\n%s", out)
	}

	g, stdout, _ = testGlobals(t, false)
	err := runTenantCheck(t.Context(), TenantCheckOptions{}, g)
	if !errors.Is(err, errPartial) || !strings.Contains(stdout.String(), "MISSING: add SecurityAlert.Read.All") {
		t.Errorf("all guards: err %v\n%s", err, stdout.String())
	}

	if err := (TenantCheckOptions{Guards: []string{"dataguard", "backups"}}).Validate(); err == nil || !strings.Contains(err.Error(), "backups") {
		t.Errorf("--guard backups: %v", err)
	}
}
