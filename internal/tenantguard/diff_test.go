package tenantguard

import (
	"encoding/json"
	"testing"
)

func canon(t *testing.T, k *Kind, js string) []byte {
	t.Helper()
	m, err := decodeJSON([]byte(js))
	if err != nil {
		t.Fatal(err)
	}
	b, err := Canonical(k, m)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestCanonical(t *testing.T) {
	k := Lookup("crossTenantAccessDefault")
	a := canon(t, k, `{"b":1,"a":["y","x"],"createdDateTime":"2020","o":{"modifiedDateTime":"x","z":[{"id":"2"},{"id":"1"}]},
		"assignments@odata.context":"u","@odata.type":"#t","invitationRedemptionIdentityProviderConfiguration":{"primaryIdentityProviderPrecedenceOrder":["b","a"]},"big":12345678901234567890}`)
	want := `{
  "@odata.type": "#t",
  "a": [
    "x",
    "y"
  ],
  "b": 1,
  "big": 12345678901234567890,
  "invitationRedemptionIdentityProviderConfiguration": {
    "primaryIdentityProviderPrecedenceOrder": [
      "b",
      "a"
    ]
  },
  "o": {
    "z": [
      {
        "id": "1"
      },
      {
        "id": "2"
      }
    ]
  }
}
`
	if string(a) != want {
		t.Errorf("Canonical =\n%s\nwant\n%s", a, want)
	}
}

func state(kinds map[string]KindResult, objs map[string]map[string][]byte) *State {
	return &State{Kinds: kinds, Objects: objs}
}

func TestDiff(t *testing.T) {
	k := Lookup("conditionalAccessPolicies")
	ok := KindResult{Status: StatusOK}
	a := state(map[string]KindResult{"conditionalAccessPolicies": ok, "namedLocations": ok},
		map[string]map[string][]byte{
			"conditionalAccessPolicies": {
				"p1": canon(t, k, `{"id":"p1","displayName":"P1","state":"enabled","conditions":{"users":{"includeUsers":["a","b"]}},
					"rules":[{"id":"r1","v":1},{"id":"r2","v":2}]}`),
				"p2": canon(t, k, `{"id":"p2","displayName":"P2"}`),
			},
			"namedLocations": {"l1": canon(t, k, `{"id":"l1"}`)},
		})
	b := state(map[string]KindResult{"conditionalAccessPolicies": ok, "namedLocations": {Status: StatusForbidden, Permission: "Policy.Read.All"}},
		map[string]map[string][]byte{
			"conditionalAccessPolicies": {
				"p1": canon(t, k, `{"id":"p1","displayName":"P1","state":"disabled","conditions":{"users":{"includeUsers":["c","b"]}},
					"rules":[{"id":"r2","v":3},{"id":"r1","v":1}],"createdDateTime":"later"}`),
				"p3": canon(t, k, `{"id":"p3","displayName":"P3"}`),
			},
		})
	d := Diff(a, b)
	if len(d.Kinds) != 2 {
		t.Fatalf("kinds = %+v", d.Kinds)
	}
	nl, ca := d.Kinds[0], d.Kinds[1]
	if nl.Kind != "namedLocations" || !nl.Unknown || len(nl.Objects) != 0 {
		t.Errorf("namedLocations = %+v", nl)
	}
	if len(ca.Objects) != 3 || ca.Objects[0].Op != "changed" || ca.Objects[1].Op != "removed" || ca.Objects[2].Op != "added" {
		t.Fatalf("objects = %+v", ca.Objects)
	}
	ch := ca.Objects[0].Changes
	paths := map[string]Change{}
	for _, c := range ch {
		paths[c.Path] = c
	}
	if len(ch) != 3 {
		t.Errorf("changes = %+v", ch)
	}
	if c := paths["state"]; string(c.Old) != `"enabled"` || string(c.New) != `"disabled"` {
		t.Errorf("state change = %+v", c)
	}
	if c := paths["conditions.users.includeUsers"]; len(c.Added) != 1 || c.Added[0] != "c" || len(c.Removed) != 1 || c.Removed[0] != "a" {
		t.Errorf("set change = %+v", c)
	}
	if c := paths["rules[r2].v"]; string(c.Old) != "2" || string(c.New) != "3" {
		t.Errorf("rule change = %+v", c)
	}
	if ca.Objects[1].DisplayName != "P2" {
		t.Errorf("removed display name = %q", ca.Objects[1].DisplayName)
	}
	if _, err := json.Marshal(d); err != nil {
		t.Error(err)
	}
	if d.Changed() != 3 {
		t.Errorf("Changed = %d", d.Changed())
	}
}

// TestDiffMatchByName: a named location recreated under a new id (as a
// restore does) matches its old self by display name, and a policy that
// now refers to the new id compares equal to one naming the old id.
func TestDiffMatchByName(t *testing.T) {
	nl, ca := Lookup("namedLocations"), Lookup("conditionalAccessPolicies")
	ok := KindResult{Status: StatusOK}
	kinds := map[string]KindResult{"namedLocations": ok, "conditionalAccessPolicies": ok}
	a := state(kinds, map[string]map[string][]byte{
		"namedLocations":            {"old": canon(t, nl, `{"id":"old","displayName":"Office","isTrusted":true}`)},
		"conditionalAccessPolicies": {"p": canon(t, ca, `{"id":"p","displayName":"P","locations":["All","old"]}`)},
	})
	b := state(kinds, map[string]map[string][]byte{
		"namedLocations":            {"new": canon(t, nl, `{"id":"new","displayName":"Office","isTrusted":true}`)},
		"conditionalAccessPolicies": {"p": canon(t, ca, `{"id":"p","displayName":"P","locations":["new","All"]}`)},
	})
	d := Diff(a, b)
	if d.Changed() != 0 || len(d.Matched) != 1 || d.Matched[0] != (Match{Kind: "namedLocations", OldKey: "old", NewKey: "new", By: "displayName"}) {
		t.Errorf("diff = %+v", d)
	}
	// A real change in the recreated object is reported under its new key.
	b.Objects["namedLocations"]["new"] = canon(t, nl, `{"id":"new","displayName":"Office","isTrusted":false}`)
	d = Diff(a, b)
	if d.Changed() != 1 || d.Kinds[0].Objects[0].Key != "new" || d.Kinds[0].Objects[0].OldKey != "old" ||
		len(d.Kinds[0].Objects[0].Changes) != 1 || d.Kinds[0].Objects[0].Changes[0].Path != "isTrusted" {
		t.Errorf("diff = %+v", d)
	}
}
