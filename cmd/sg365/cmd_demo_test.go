package main

import (
	"encoding/json"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

func TestDemoJSON(t *testing.T) {
	g, stdout, _ := testGlobals(t, true)
	if err := runDemo(t.Context(), DemoOptions{Users: 3, Seed: 5, NoBackup: true}, g); err != nil {
		t.Fatal(err)
	}
	var users, messages int
	var summary map[string]any
	for _, line := range strings.Split(strings.TrimSpace(stdout.String()), "\n") {
		var m map[string]any
		if err := json.Unmarshal([]byte(line), &m); err != nil {
			t.Fatalf("not JSON: %q", line)
		}
		switch m["message_type"] {
		case "user":
			users++
			messages += int(m["messages"].(float64))
		case "summary":
			summary = m
		default:
			t.Fatalf("unexpected message_type in %q", line)
		}
	}
	if summary == nil || users < 3 || int(summary["users"].(float64)) != users {
		t.Fatalf("users=%d summary=%v", users, summary)
	}
	if messages == 0 || int(summary["messages"].(float64)) != messages || summary["graph_requests"].(float64) < float64(users) {
		t.Fatalf("messages=%d summary=%v", messages, summary)
	}
}

func TestDemoText(t *testing.T) {
	g, stdout, _ := testGlobals(t, false)
	if err := runDemo(t.Context(), DemoOptions{Users: 2, Seed: 5}, g); err != nil {
		t.Fatal(err)
	}
	out := stdout.String()
	for _, want := range []string{"MESSAGES", "ONEDRIVE FILES", "TOTAL", "Graph requests", "Full backup:", "Incremental backup:", "UNCHANGED",
		"ransomware encrypted", "restore encrypted files", "restore deleted mail folder", "snapshots, 0 damaged files",
		"SCuBA assessment", "config drift", "3 changes applied, 0 failed; drift afterwards: 0 objects"} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
	// The checks after the restores read the tenant back through Graph.
	m := regexp.MustCompile(`(\d+) of (\d+) files have their pre-attack name and content`).FindStringSubmatch(out)
	if m == nil || m[1] != m[2] || m[1] == "0" {
		t.Errorf("encrypted files not all restored: %v\n%s", m, out)
	}
	m = regexp.MustCompile(`holds (\d+) messages again: the (\d+) of the backup`).FindStringSubmatch(out)
	if m == nil || m[1] != m[2] || m[1] == "0" {
		t.Errorf("deleted folder not restored: %v\n%s", m, out)
	}
	// The responses to the open alerts are read back through Graph and
	// MDE: every user acted on lost their sessions and was confirmed
	// compromised (and their on-premises password reset through Defender
	// for Identity), every device isolated, every alert resolved and
	// commented.
	m = regexp.MustCompile(`(\d+) actions succeeded, 0 failed; read back through Graph and MDE: sessions revoked for (\d+) user\(s\), ` +
		`(\d+) confirmed compromised, (\d+) machine\(s\) isolated, (\d+) alert\(s\) resolved; (\d+) audit entries`).FindStringSubmatch(out)
	if m == nil {
		t.Fatalf("no response step, or an action failed:\n%s", out)
	}
	n := make([]int, len(m))
	for i := 1; i < len(m); i++ {
		n[i], _ = strconv.Atoi(m[i])
	}
	if actions, users, confirmed, machines, alerts, audited := n[1], n[2], n[3], n[4], n[5], n[6]; users == 0 || machines == 0 ||
		alerts != 2 || confirmed != users || actions != 3*users+machines+2*alerts || audited != actions {
		t.Errorf("responses not all effective: %v", m)
	}
	for _, want := range []string{"identity scan", "device scan", "alerts sync (twice)", "stored again: false"} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q", want)
		}
	}
	if (DemoOptions{Users: 0}).Validate() == nil {
		t.Error("--users 0 accepted")
	}
}
