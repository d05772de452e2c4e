package userguard

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"
)

func TestAlertEntities(t *testing.T) {
	const adele = `"userAccount": {"accountName": "adelev", "domainName": "CONTOSO", "userSid": "S-1-5-21-1-2-3-1104",
		"azureAdUserId": "u1", "userPrincipalName": "adele@contoso.com"}`
	tests := []struct {
		name     string
		evidence string
		want     AlertEntities
		wantErr  bool
	}{
		{name: "no evidence", evidence: `[]`},
		{
			name: "user and process of the same user, device twice",
			evidence: `[
				{"@odata.type": "#microsoft.graph.security.processEvidence", "roles": [], ` + adele + `},
				{"@odata.type": "#microsoft.graph.security.userEvidence", "roles": ["compromised"], ` + adele + `},
				{"@odata.type": "#microsoft.graph.security.deviceEvidence", "mdeDeviceId": "m1", "azureAdDeviceId": "d1", "deviceDnsName": "pc1.contoso.com"},
				{"@odata.type": "#microsoft.graph.security.deviceEvidence", "mdeDeviceId": "m1", "azureAdDeviceId": "d1", "deviceDnsName": "pc1.contoso.com"},
				{"@odata.type": "#microsoft.graph.security.ipEvidence", "ipAddress": "192.0.2.1"}]`,
			want: AlertEntities{
				Users: []AlertUser{{UserPrincipalName: "adele@contoso.com", AzureADUserID: "u1", AccountName: "adelev",
					DomainName: "CONTOSO", SID: "S-1-5-21-1-2-3-1104", Roles: []string{"compromised"}}},
				Devices: []AlertDevice{{MDEDeviceID: "m1", AzureADDeviceID: "d1", DNSName: "pc1.contoso.com"}},
			},
		},
		{
			name:     "on-premises account only",
			evidence: `[{"@odata.type": "#microsoft.graph.security.userEvidence", "roles": ["attacker"], "userAccount": {"accountName": "svc-sql", "domainName": "CONTOSO", "userSid": "S-1-5-21-1-2-3-1200"}}]`,
			want:     AlertEntities{Users: []AlertUser{{AccountName: "svc-sql", DomainName: "CONTOSO", SID: "S-1-5-21-1-2-3-1200", Roles: []string{"attacker"}}}},
		},
		{
			name:     "empty account and device are skipped",
			evidence: `[{"@odata.type": "#microsoft.graph.security.userEvidence", "userAccount": {}}, {"@odata.type": "#microsoft.graph.security.deviceEvidence"}]`,
		},
		{name: "evidence not a list", evidence: `{"x": 1}`, wantErr: true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			a := Alert{ID: "a1", Raw: json.RawMessage(`{"id": "a1", "evidence": ` + tc.evidence + `}`)}
			got, err := a.Entities()
			if (err != nil) != tc.wantErr {
				t.Fatalf("err = %v, want error %v", err, tc.wantErr)
			}
			if err != nil {
				if !strings.Contains(err.Error(), "a1") {
					t.Errorf("error does not name the alert: %v", err)
				}
				return
			}
			if !reflect.DeepEqual(got, tc.want) {
				t.Errorf("got  %+v\nwant %+v", got, tc.want)
			}
		})
	}
}

func TestAlertUserName(t *testing.T) {
	for _, tc := range []struct {
		u    AlertUser
		want string
	}{
		{AlertUser{UserPrincipalName: "a@b.c", AccountName: "a", DomainName: "B"}, "a@b.c"},
		{AlertUser{AccountName: "a", DomainName: "B", AzureADUserID: "u1"}, `B\a`},
		{AlertUser{AccountName: "a", AzureADUserID: "u1"}, "u1"},
		{AlertUser{SID: "S-1-5-21-1"}, "S-1-5-21-1"},
	} {
		if got := tc.u.Name(); got != tc.want {
			t.Errorf("%+v.Name() = %q, want %q", tc.u, got, tc.want)
		}
	}
}

// FuzzAlertEntities feeds Graph-shaped evidence: parsing never panics, and
// every entity found is named and comes from one evidence object.
func FuzzAlertEntities(f *testing.F) {
	f.Add(`{"evidence": [{"@odata.type": "#microsoft.graph.security.userEvidence", "userAccount": {"accountName": "a", "domainName": "B"}}]}`)
	f.Add(`{"evidence": [{"@odata.type": "#microsoft.graph.security.deviceEvidence", "mdeDeviceId": "m"}]}`)
	f.Add(`{"evidence": null}`)
	f.Add(`{"evidence": [null, 1, "x"]}`)
	f.Fuzz(func(t *testing.T, raw string) {
		a := Alert{ID: "f", Raw: json.RawMessage(raw)}
		got, err := a.Entities()
		if err != nil {
			return
		}
		var doc struct{ Evidence []json.RawMessage }
		if json.Unmarshal([]byte(raw), &doc) == nil && len(got.Users)+len(got.Devices) > 2*len(doc.Evidence) {
			t.Errorf("%d users and %d devices from %d evidence objects", len(got.Users), len(got.Devices), len(doc.Evidence))
		}
		for _, u := range got.Users {
			if u.Name() == "" {
				t.Errorf("unnamed user %+v", u)
			}
		}
	})
}
