package access

import "testing"

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
