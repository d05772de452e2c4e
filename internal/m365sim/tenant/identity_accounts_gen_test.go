package tenant

import (
	"testing"
)

// TestIdentityAccountSIDs checks that on-premises SIDs are unique in the
// domain, even with enough users for RIDs to collide, and that a SID in
// alert evidence names the identity account of the same user, so that a
// response keyed by SID acts on the right account.
func TestIdentityAccountSIDs(t *testing.T) {
	o := SmallGenOptions(3)
	o.Users, o.MessagesPerUser, o.EventsPerUser, o.ContactsPerUser, o.FilesPerUser = 150, 1, 1, 1, 1
	tn := mustGenerate(t, o)
	bySID := map[string]Props{}
	for _, ia := range tn.Security.List(SetIdentityAccounts) {
		sid := str(ia, "onPremisesSecurityIdentifier")
		if prev, dup := bySID[sid]; dup {
			t.Errorf("SID %s held by %s and %s", sid, str(prev, "displayName"), str(ia, "displayName"))
		}
		bySID[sid] = ia
	}
	if len(bySID) < 150 {
		t.Fatalf("%d identity accounts for 150 users", len(bySID))
	}
	checked := 0
	for _, a := range tn.Security.List(SetAlerts) {
		ev, _ := a["evidence"].([]any)
		for _, e := range ev {
			ua, _ := e.(Props)["userAccount"].(Props)
			if ua == nil {
				continue
			}
			ia := bySID[str(ua, "userSid")]
			if ia == nil || str(ia, "userPrincipalName") != str(ua, "userPrincipalName") {
				t.Errorf("alert %s names %s with SID %s, which is the identity account %v", str(a, "id"),
					str(ua, "userPrincipalName"), str(ua, "userSid"), ia["userPrincipalName"])
			}
			checked++
		}
	}
	if checked == 0 {
		t.Fatal("no alert evidence names a user")
	}
}
