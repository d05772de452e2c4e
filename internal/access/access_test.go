package access

import (
	"slices"
	"testing"

	"github.com/safeguard365/safeguard365/internal/m365sim"
)

func TestCheck(t *testing.T) {
	res := Check([]string{"user.read.all", "Mail.ReadWrite", "Sites.Read.All"})
	byCap := map[string]Result{}
	for _, r := range res {
		byCap[r.Capability] = r
	}
	for _, tc := range []struct {
		capability string
		granted    bool
		by, miss   string
	}{
		{"list users", true, "User.Read.All", ""},
		{"back up mail", true, "Mail.ReadWrite", ""},
		{"restore mail", true, "Mail.ReadWrite", ""},
		{"back up OneDrive", true, "Sites.Read.All", ""},
		{"restore OneDrive", false, "", "Files.ReadWrite.All"},
		{"back up calendars", false, "", "Calendars.Read"},
	} {
		r, ok := byCap[tc.capability]
		if !ok || r.Granted != tc.granted || r.By != tc.by || r.Missing != tc.miss {
			t.Errorf("%s: %+v, want granted=%v by=%q missing=%q", tc.capability, r, tc.granted, tc.by, tc.miss)
		}
	}
	if len(res) != len(Needs) {
		t.Errorf("%d results for %d needs", len(res), len(Needs))
	}
}

func TestCheckGuards(t *testing.T) {
	res := Check([]string{"Mail.Read"}, "dataguard", "CORE")
	if len(res) == 0 {
		t.Fatal("no results for dataguard and core")
	}
	for _, r := range res {
		if r.Guard != "DataGuard" && r.Guard != "core" {
			t.Errorf("guard %s reported when only DataGuard and core were asked", r.Guard)
		}
	}
	for _, n := range Needs {
		if !slices.Contains(Guards(), n.Guard) {
			t.Errorf("%q: guard %q is not in Guards()", n.Capability, n.Guard)
		}
	}
}

// TestNeedsNameRealPermissions checks every permission in the table
// against the emulator's, which come from each API's reference page: a
// misspelt name would tell an admin to grant a permission that does not
// exist.
func TestNeedsNameRealPermissions(t *testing.T) {
	known := m365sim.AllRoles()
	for _, n := range Needs {
		if len(n.AnyOf) == 0 {
			t.Errorf("%q needs no permission", n.Capability)
		}
		for _, p := range n.AnyOf {
			if !slices.Contains(known, p) {
				t.Errorf("%q: %s is not a permission the emulator knows", n.Capability, p)
			}
		}
	}
}
