package main

import (
	"encoding/json"
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
	for _, want := range []string{"MESSAGES", "ONEDRIVE FILES", "TOTAL", "Graph requests", "Full backup:", "Incremental backup:", "UNCHANGED"} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
	if (DemoOptions{Users: 0}).Validate() == nil {
		t.Error("--users 0 accepted")
	}
}
