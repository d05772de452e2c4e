package main

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/safeguard365/safeguard365/internal/m365sim"
)

// The AD fixtures of internal/userguard: one passes every rule, one fails
// every rule.
const (
	adClean = "../../internal/userguard/testdata/ad_clean.json"
	adWeak  = "../../internal/userguard/testdata/ad_weak.json"
)

func TestIdentityScan(t *testing.T) {
	pwFile := filepath.Join(t.TempDir(), "pw")
	if err := os.WriteFile(pwFile, []byte("S3cret-Value!\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name string
		args []string
		code int
		out  []string // substrings of stdout
		err  string   // substring of stderr
	}{
		{"clean table", []string{"identity", "scan", "--inventory", adClean, "--fail-on", "low"}, exitOK,
			[]string{"SG.AD.1 ", "22 rules: 22 pass", "Active Directory risk score: 0/100 (low"}, ""},
		{"weak table", []string{"identity", "scan", "--inventory", adWeak}, exitOK,
			[]string{"Findings:", "SG.AD.2 ", "user bob (CN=bob,CN=Users,DC=corp,DC=example): DONT_REQ_PREAUTH",
				"principal syncer (S-1-5-21-1000-2000-3000-1120)", "privilegedAccounts", "critical; 0 is best"}, ""},
		{"fail-on critical", []string{"identity", "scan", "--inventory", adWeak, "--fail-on", "critical"}, exitFailOn,
			nil, "SG.AD.4, SG.AD.20"},
		{"json", []string{"identity", "scan", "--inventory", adWeak, "--format", "json"}, exitOK,
			[]string{`"adScore": {`, `"global": 95`, `"SG.AD.22"`}, ""},
		{"html", []string{"identity", "scan", "--inventory", adWeak, "--format", "html"}, exitOK,
			[]string{"Active Directory risk score: 95/100", "SG.AD.13"}, ""},
		{"json lines", []string{"--json", "identity", "scan", "--inventory", adClean}, exitOK,
			[]string{`"message_type":"result"`, `"message_type":"score"`, `"message_type":"summary"`}, ""},
		{"nothing to scan", []string{"identity", "scan", "--no-cloud"}, exitUsage, nil, "nothing to scan"},
		{"ad without user", []string{"identity", "scan", "--ad", "ldaps://dc"}, exitUsage, nil, "--bind-user"},
		{"ldap flags without ad", []string{"identity", "scan", "--inventory", adClean, "--start-tls"}, exitUsage, nil, "need --ad"},
		{"bad format", []string{"identity", "scan", "--inventory", adClean, "--format", "csv"}, exitUsage, nil, "--format"},
		{"no password", []string{"identity", "scan", "--ad", "ldaps://127.0.0.1:1", "--bind-user", "r@x"}, exitFatal, nil, "no bind password"},
		{"bad as-of", []string{"identity", "scan", "--as-of", "yesterday"}, exitUsage, nil, "--as-of"},
		{"plain ldap refused", []string{"identity", "scan", "--ad", "ldap://127.0.0.1:1", "--bind-user", "r@x", "--bind-password-file", pwFile},
			exitFatal, nil, "clear text"},
		{"unreachable", []string{"identity", "scan", "--ad", "ldaps://127.0.0.1:1", "--bind-user", "r@x", "--bind-password-file", pwFile},
			exitFatal, nil, "connect to 127.0.0.1:1"},
		{"no password flag", []string{"identity", "scan", "--ad", "ldaps://dc", "--bind-user", "r@x", "--bind-password", "x"}, exitUsage, nil, "unknown flag"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Setenv(envADBindPassword, "")
			var stdout, stderr bytes.Buffer
			code := run(tc.args, &stdout, &stderr)
			if code != tc.code {
				t.Fatalf("exit %d, want %d\nstdout:\n%s\nstderr:\n%s", code, tc.code, stdout.String(), stderr.String())
			}
			for _, w := range tc.out {
				if !strings.Contains(stdout.String(), w) {
					t.Errorf("stdout lacks %q:\n%s", w, stdout.String())
				}
			}
			if !strings.Contains(stderr.String(), tc.err) {
				t.Errorf("stderr lacks %q:\n%s", tc.err, stderr.String())
			}
			if strings.Contains(stdout.String()+stderr.String(), "S3cret-Value") {
				t.Error("the bind password was printed")
			}
		})
	}
}

// TestIdentityScanJSONDocument: --format json is one document with the
// report and the score.
func TestIdentityScanJSONDocument(t *testing.T) {
	var stdout, stderr bytes.Buffer
	if code := run([]string{"identity", "scan", "--inventory", adWeak, "--format", "json"}, &stdout, &stderr); code != exitOK {
		t.Fatalf("exit %d: %s", code, stderr.String())
	}
	var doc struct {
		SchemaVersion int `json:"schemaVersion"`
		Report        struct {
			Results []struct {
				Status string `json:"status"`
			} `json:"results"`
		} `json:"report"`
		ADScore struct {
			Global     int `json:"global"`
			Categories []struct {
				Category string `json:"category"`
			} `json:"categories"`
		} `json:"adScore"`
	}
	if err := json.Unmarshal(stdout.Bytes(), &doc); err != nil {
		t.Fatal(err)
	}
	if doc.SchemaVersion != 1 || len(doc.Report.Results) != 22 || len(doc.ADScore.Categories) != 4 || doc.ADScore.Global == 0 {
		t.Errorf("document: %+v", doc)
	}
}

// TestIdentityScanCloud: without --ad, the tenant's cloud identity is
// scanned and scored; the planted weaknesses fail.
func TestIdentityScanCloud(t *testing.T) {
	l := m365sim.Start(t, m365sim.Options{Users: 6, Seed: 7, MessagesPerUser: -1, FilesPerUser: -1})
	tenantEnv(t, l)
	var stdout, stderr bytes.Buffer
	code := run([]string{"identity", "scan", "--as-of", "2025-06-02T09:00:00Z", "--fail-on", "critical"}, &stdout, &stderr)
	if code != exitFailOn {
		t.Fatalf("exit %d\nstdout:\n%s\nstderr:\n%s", code, stdout.String(), stderr.String())
	}
	for _, w := range []string{"I1 ", "I15 ", "Findings:", "Cloud identity risk score:", "authentication", "Suspected DCSync attack"} {
		if !strings.Contains(stdout.String(), w) {
			t.Errorf("stdout lacks %q:\n%s", w, stdout.String())
		}
	}
	if !strings.Contains(stderr.String(), "I1, I6") {
		t.Errorf("stderr: %s", stderr.String())
	}
	if strings.Contains(stdout.String(), "Active Directory risk score") {
		t.Error("AD score without --ad")
	}
}
