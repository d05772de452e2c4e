package m365sim

import (
	"strings"
	"testing"

	"github.com/safeguard365/safeguard365/internal/m365sim/tenant"
)

// adAccount returns the activeDirectory account identifier of an identity.
func adAccount(t *testing.T, ia map[string]any) string {
	t.Helper()
	accounts, _ := ia["accounts"].([]any)
	for _, a := range accounts {
		m := a.(map[string]any)
		if m["identityProvider"] == "activeDirectory" {
			return m["identifier"].(string)
		}
	}
	t.Fatalf("identity %v has no AD account", ia["id"])
	return ""
}

// TestIdentityAccountsList: hybrid accounts share the members' UPNs and the
// sensors' domain; AD-only accounts exist; $filter and $select work.
func TestIdentityAccountsList(t *testing.T) {
	l, c := startSecurity(t)
	all, _ := c.all("/security/identities/identityAccounts")
	sensors, _ := c.all("/security/identities/sensors")
	domain := sensors[0]["domainName"]
	var members []string
	tn := l.Server.Tenant()
	tn.Read(func() error {
		for _, u := range tn.Users {
			if u.Props["userType"] != "Guest" && !u.Deleted {
				members = append(members, strings.ToLower(u.UPN))
			}
		}
		return nil
	})
	byUPN := map[string]map[string]any{}
	adOnly, disabled := 0, 0
	for _, ia := range all {
		if ia["domain"] != domain || ia["@odata.type"] != "#microsoft.graph.security.user" {
			t.Errorf("identity %v: domain %v, type %v", ia["id"], ia["domain"], ia["@odata.type"])
		}
		if _, ok := ia[tenant.IdentityActionLog]; ok {
			t.Error("emulator-only property shown")
		}
		byUPN[strings.ToLower(ia["userPrincipalName"].(string))] = ia
		if len(ia["accounts"].([]any)) == 1 {
			adOnly++
		}
		if ia["isEnabled"] == false {
			disabled++
		}
	}
	for _, upn := range members {
		if byUPN[upn] == nil {
			t.Errorf("member %s has no identity account", upn)
		}
	}
	if adOnly < 2 || disabled < 1 || len(all) != len(members)+adOnly {
		t.Errorf("%d identities, %d members, %d AD-only, %d disabled", len(all), len(members), adOnly, disabled)
	}

	// The documented filter on the on-premises SID, and one on isEnabled.
	sid := all[0]["onPremisesSecurityIdentifier"].(string)
	if got, _ := c.all(q("/security/identities/identityAccounts?$filter=onPremisesSecurityIdentifier eq '" + sid + "'")); len(got) != 1 || got[0]["id"] != all[0]["id"] {
		t.Errorf("filter by SID: %v", got)
	}
	if got, _ := c.all(q("/security/identities/identityAccounts?$filter=isEnabled eq false")); len(got) != disabled {
		t.Errorf("filter isEnabled: %d, want %d", len(got), disabled)
	}
	if r := c.do("GET", q("/security/identities/identityAccounts?$filter=accounts eq 'x'"), nil); r.status != 400 {
		t.Errorf("filter on accounts: %d", r.status)
	}
	one := c.get("/security/identities/identityAccounts/" + all[0]["id"].(string) + "?$select=id,isEnabled")
	if one["id"] != all[0]["id"] || one["displayName"] != nil || one["isEnabled"] == nil {
		t.Errorf("get with $select: %v", one)
	}
	if r := c.do("GET", "/security/identities/identityAccounts/00000000-0000-0000-0000-000000000000", nil); r.status != 404 {
		t.Errorf("unknown identity: %d", r.status)
	}
}

// TestIdentityAccountsInvokeAction: disable, enable and forcePasswordReset
// change state; bad bodies and unsupported provider/action pairs get 400.
func TestIdentityAccountsInvokeAction(t *testing.T) {
	l, c := startSecurity(t)
	all, _ := c.all(q("/security/identities/identityAccounts?$filter=isEnabled eq true"))
	ia := all[0]
	id, acct := ia["id"].(string), adAccount(t, ia)
	path := "/security/identities/identityAccounts/" + id + "/invokeAction"
	act := func(action string) response {
		return c.do("POST", path, map[string]any{"accountId": acct, "action": action, "identityProvider": "activeDirectory"})
	}
	r := act("disable")
	if r.status != 200 {
		t.Fatalf("disable: %d %s", r.status, r.body)
	}
	res := r.json(t)
	if res["accountId"] != acct || res["action"] != "disable" || res["identityProvider"] != "activeDirectory" || res["correlationId"] == "" {
		t.Errorf("result: %v", res)
	}
	if got := c.get("/security/identities/identityAccounts/" + id); got["isEnabled"] != false {
		t.Errorf("after disable: isEnabled %v", got["isEnabled"])
	}
	if r := act("enable"); r.status != 200 {
		t.Fatalf("enable: %d %s", r.status, r.body)
	}
	if got := c.get("/security/identities/identityAccounts/" + id); got["isEnabled"] != true {
		t.Errorf("after enable: isEnabled %v", got["isEnabled"])
	}
	if r := act("forcePasswordReset"); r.status != 200 {
		t.Fatalf("forcePasswordReset: %d %s", r.status, r.body)
	}
	tn := l.Server.Tenant()
	tn.Read(func() error {
		p := tn.Security.Find(tenant.SetIdentityAccounts, id)
		if p[tenant.IdentityMustChangePassword] != true {
			t.Error("forcePasswordReset not recorded")
		}
		if h, _ := p[tenant.IdentityActionLog].([]any); len(h) != 3 {
			t.Errorf("action log: %v", h)
		}
		return nil
	})

	var entraID string
	for _, a := range ia["accounts"].([]any) {
		if m := a.(map[string]any); m["identityProvider"] == "entraID" {
			entraID = m["identifier"].(string)
		}
	}
	for _, tc := range []struct {
		name   string
		body   any
		status int
	}{
		{"not-json", "nope", 400},
		{"no-account", map[string]any{"action": "disable", "identityProvider": "activeDirectory"}, 400},
		{"bad-action", map[string]any{"accountId": acct, "action": "delete", "identityProvider": "activeDirectory"}, 400},
		{"bad-provider", map[string]any{"accountId": acct, "action": "disable", "identityProvider": "ldap"}, 400},
		{"extra-param", map[string]any{"accountId": acct, "action": "disable", "identityProvider": "activeDirectory", "x": 1}, 400},
		{"entra-out-of-scope", map[string]any{"accountId": entraID, "action": "disable", "identityProvider": "entraID"}, 400},
		{"revoke-on-ad", map[string]any{"accountId": acct, "action": "revokeAllSessions", "identityProvider": "activeDirectory"}, 400},
		{"other-account", map[string]any{"accountId": "00000000-0000-0000-0000-000000000000", "action": "disable", "identityProvider": "activeDirectory"}, 404},
	} {
		if r := c.do("POST", path, tc.body); r.status != tc.status {
			t.Errorf("%s: %d %s, want %d", tc.name, r.status, r.body, tc.status)
		}
	}
	if r := c.do("POST", "/security/identities/identityAccounts/nope/invokeAction",
		map[string]any{"accountId": acct, "action": "disable", "identityProvider": "activeDirectory"}); r.status != 404 {
		t.Errorf("unknown identity: %d", r.status)
	}
	// None of the refused calls changed anything.
	if got := c.get("/security/identities/identityAccounts/" + id); got["isEnabled"] != true {
		t.Errorf("after refused calls: isEnabled %v", got["isEnabled"])
	}
}

// TestIdentityAccountsPermissions: reading needs
// SecurityIdentitiesAccount.Read.All, invokeAction needs
// SecurityIdentitiesActions.ReadWrite.All.
func TestIdentityAccountsPermissions(t *testing.T) {
	_, c := startSecurity(t, "User.Read.All", "SecurityIdentitiesAccount.Read.All")
	all, _ := c.all("/security/identities/identityAccounts")
	if len(all) == 0 {
		t.Fatal("no identity accounts with SecurityIdentitiesAccount.Read.All")
	}
	r := c.do("POST", "/security/identities/identityAccounts/"+all[0]["id"].(string)+"/invokeAction",
		map[string]any{"accountId": adAccount(t, all[0]), "action": "disable", "identityProvider": "activeDirectory"})
	if r.status != 403 {
		t.Errorf("invokeAction without SecurityIdentitiesActions.ReadWrite.All: %d %s", r.status, r.body)
	}
	_, c2 := startSecurity(t, "User.Read.All", "SecurityIdentitiesSensors.Read.All")
	if r := c2.do("GET", "/security/identities/identityAccounts", nil); r.status != 403 {
		t.Errorf("list without SecurityIdentitiesAccount.Read.All: %d", r.status)
	}
}

// TestIdentityAccountsDeterministic: the same seed gives the same accounts.
func TestIdentityAccountsDeterministic(t *testing.T) {
	ids := func() []string {
		s, err := New(Options{Users: 4, Seed: 42, MessagesPerUser: -1, FilesPerUser: -1})
		if err != nil {
			t.Fatal(err)
		}
		var out []string
		tn := s.Tenant()
		tn.Read(func() error {
			for _, p := range tn.Security.List(tenant.SetIdentityAccounts) {
				out = append(out, p["id"].(string), p["onPremisesSecurityIdentifier"].(string))
			}
			return nil
		})
		return out
	}
	a, b := ids(), ids()
	if len(a) == 0 || strings.Join(a, ",") != strings.Join(b, ",") {
		t.Errorf("seed 42 twice:\n%v\n%v", a, b)
	}
}
