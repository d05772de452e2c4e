package posture_test

import (
	"bytes"
	"encoding/json"
	"os"
	"testing"

	"github.com/safeguard365/safeguard365/internal/posture"
)

// FuzzParseInventory: any input either fails with ErrInventory or yields
// a valid inventory that survives a JSON round trip.
func FuzzParseInventory(f *testing.F) {
	compliant, err := os.ReadFile("testdata/compliant.json")
	if err != nil {
		f.Fatal(err)
	}
	for _, seed := range []string{
		string(compliant),
		`{"schemaVersion":1,"tenant":{"id":"t"},"sources":{},"data":{}}`,
		`{"schemaVersion":1,"tenant":{"id":"t"},"sources":{"users":{"status":"error","error":"403"}},"data":{"users":null}}`,
		`{"schemaVersion":1,"tenant":{"id":"t"},"collectedAt":"2026-01-01T00:00:00Z","sources":{"users":{"status":"ok"}},"data":{"users":[{"id":"u"}]}}`,
		`{"schemaVersion":1,"data":{"x":"y"}}`,
		`[]`, `null`, ``,
	} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		inv, err := posture.ParseInventory(b)
		if err != nil {
			return
		}
		out, err := json.Marshal(inv)
		if err != nil {
			t.Fatalf("marshal a parsed inventory: %v", err)
		}
		again, err := posture.ParseInventory(out)
		if err != nil {
			t.Fatalf("re-parse: %v\n%s", err, out)
		}
		out2, _ := json.Marshal(again)
		if !bytes.Equal(out, out2) {
			t.Fatalf("round trip differs:\n%s\n%s", out, out2)
		}
	})
}

// FuzzParseExclusions: any input either fails with ErrExclusions or
// yields exclusions with lower-case, non-blank ids.
func FuzzParseExclusions(f *testing.F) {
	fixture, err := os.ReadFile("testdata/exclusions.yaml")
	if err != nil {
		f.Fatal(err)
	}
	for _, seed := range []string{
		string(fixture),
		"",
		"rules: {}\n",
		"rules:\n  MS.AAD.7.4v1:\n    users: [A, b]\n    groups: [G]\n",
		"rules:\n  X:\n    roles: ['62E90394-69F5-4237-9190-012177145E10']\n    note: x\n",
		"rules:\n  X: [1]\n",
		"- a\n- b\n",
		"rules:\n  X:\n    users: &a [u]\n    groups: *a\n",
	} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		ex, err := posture.ParseExclusions(b)
		if err != nil {
			return
		}
		for id, r := range ex.Rules {
			for _, list := range [][]string{r.Users, r.Groups, r.Roles} {
				for _, v := range list {
					if v == "" || v != string(bytes.ToLower([]byte(v))) {
						t.Fatalf("%s: id %q is blank or not lower-case", id, v)
					}
				}
			}
		}
	})
}
