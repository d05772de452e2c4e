package m365sim

import (
	"encoding/json"
	"net/url"
	"strings"
	"testing"
)

func startSecurity(t *testing.T, roles ...string) (*Listener, *client) {
	t.Helper()
	opts := Options{Users: 5, Seed: 21, MessagesPerUser: -1, FilesPerUser: -1}
	if roles != nil {
		opts.Roles = roles
	}
	l := Start(t, opts)
	return l, newClient(t, l)
}

// scopedToken fetches a client credentials token for scope.
func (c *client) scopedToken(scope string) (string, response) {
	c.tb.Helper()
	form := url.Values{"client_id": {c.l.ClientID}, "client_secret": {c.l.ClientSecret}, "grant_type": {"client_credentials"},
		"scope": {scope}}
	resp, err := c.http.PostForm(c.l.AuthorityHost+c.l.TenantID+"/oauth2/v2.0/token", form)
	if err != nil {
		c.tb.Fatal(err)
	}
	defer resp.Body.Close()
	var tok struct {
		AccessToken string `json:"access_token"`
	}
	json.NewDecoder(resp.Body).Decode(&tok)
	return tok.AccessToken, response{status: resp.StatusCode}
}

// mde returns a client for the Defender for Endpoint API with its own token.
func (c *client) mde() *client {
	tok, r := c.scopedToken("https://api.securitycenter.microsoft.com/.default")
	if r.status != 200 || tok == "" {
		c.tb.Fatalf("MDE token: %d", r.status)
	}
	return &client{tb: c.tb, l: c.l, http: c.http, token: tok}
}

func q(s string) string { return strings.ReplaceAll(s, " ", "%20") }

// TestSecurityShapes reads every new collection and checks the planted
// weaknesses through the documented $filter expressions.
func TestSecurityShapes(t *testing.T) {
	_, c := startSecurity(t)
	for _, tc := range []struct {
		path string
		want int // -1: at least one
	}{
		{"/reports/authenticationMethods/userRegistrationDetails?$filter=isAdmin eq true and isMfaRegistered eq false", 2},
		{"/reports/authenticationMethods/userRegistrationDetails", 6},
		{"/identityProtection/riskyUsers?$filter=riskLevel eq 'high' and riskState eq 'atRisk'", 1},
		{"/identityProtection/riskDetections?$filter=riskEventType eq 'leakedCredentials'", 1},
		{"/identityProtection/riskyServicePrincipals", 1},
		{"/auditLogs/signIns", 10},
		{"/auditLogs/directoryAudits?$filter=category eq 'RoleManagement'", 1},
		{"/security/alerts_v2?$filter=serviceSource eq 'microsoftDefenderForIdentity' and status ne 'resolved'", 1},
		{"/security/alerts_v2?$filter=serviceSource eq 'microsoftDefenderForEndpoint' and status ne 'resolved'", 1},
		{"/security/alerts_v2?$filter=serviceSource eq 'azureAdIdentityProtection'", 1},
		{"/security/incidents", 3},
		{"/security/identities/healthIssues?$filter=status eq 'open'", 1},
		{"/security/identities/sensors?$filter=healthStatus ne 'healthy'", 1},
		{"/security/secureScores", 3},
		{"/security/secureScoreControlProfiles?$filter=controlCategory eq 'Device'", 4},
		{"/deviceManagement/managedDevices?$filter=jailBroken eq 'True'", 1},
		{"/deviceManagement/managedDevices?$filter=complianceState eq 'noncompliant'", 2},
		{"/deviceManagement/detectedApps", -1},
	} {
		items, _ := c.all(q(tc.path))
		if (tc.want < 0 && len(items) == 0) || (tc.want >= 0 && len(items) != tc.want) {
			t.Errorf("%s: %d items, want %d", tc.path, len(items), tc.want)
		}
	}
	// A filter on a property the resource does not filter by is refused.
	if r := c.do("GET", q("/security/alerts_v2?$filter=title eq 'x'"), nil); r.status != 400 {
		t.Errorf("unsupported filter: %d", r.status)
	}

	// Devices: paging, navigation properties, health attestation on $select.
	devs, _ := c.all("/deviceManagement/managedDevices?$top=2")
	if len(devs) < 8 {
		t.Fatalf("%d managed devices", len(devs))
	}
	if _, ok := devs[0]["windowsProtectionState"]; ok {
		t.Error("windowsProtectionState listed without $expand")
	}
	if _, ok := devs[0]["deviceHealthAttestationState"]; ok {
		t.Error("deviceHealthAttestationState listed without $select")
	}
	var rtp map[string]any
	for _, d := range devs {
		if d["operatingSystem"] != "Windows" {
			continue
		}
		ps := c.get("/deviceManagement/managedDevices/" + d["id"].(string) + "/windowsProtectionState")
		if ps["realTimeProtectionEnabled"] == false {
			if rtp != nil {
				t.Error("more than one device with real-time protection off")
			}
			rtp = d
			if ps["signatureUpdateOverdue"] != true {
				t.Error("the planted device's signatures are not overdue")
			}
		}
		states, _ := c.all("/deviceManagement/managedDevices/" + d["id"].(string) + "/deviceCompliancePolicyStates")
		if len(states) != 1 || states[0]["settingStates"] == nil {
			t.Errorf("%v: compliance policy states %v", d["deviceName"], states)
		}
	}
	if rtp == nil {
		t.Fatal("no device with real-time protection off")
	}
	sel := c.get("/deviceManagement/managedDevices/" + rtp["id"].(string) + "?$select=id,deviceHealthAttestationState")
	if sel["deviceHealthAttestationState"] == nil {
		t.Error("deviceHealthAttestationState missing with $select")
	}
	if r := c.do("GET", "/deviceManagement/managedDevices/"+rtp["id"].(string)+"/detectedApps", nil); r.status != 400 {
		t.Errorf("v1.0 per-device detectedApps: %d, want 400 (beta only)", r.status)
	}
	if items, _ := c.all(c.l.URL + "/beta/deviceManagement/managedDevices/" + rtp["id"].(string) + "/detectedApps"); len(items) == 0 {
		t.Error("beta detectedApps empty")
	}
	inc := c.get("/security/incidents?$expand=alerts")
	first := inc["value"].([]any)[0].(map[string]any)
	if alerts, _ := first["alerts"].([]any); len(alerts) != 1 {
		t.Errorf("incident $expand=alerts: %v", first["alerts"])
	}
}

// TestSecurityWrites checks that write actions change state observably.
func TestSecurityWrites(t *testing.T) {
	_, c := startSecurity(t)
	alerts, _ := c.all(q("/security/alerts_v2?$filter=serviceSource eq 'microsoftDefenderForIdentity'"))
	id := alerts[0]["id"].(string)
	r := c.do("PATCH", "/security/alerts_v2/"+id, map[string]any{"status": "resolved", "classification": "truePositive",
		"determination": "compromisedAccount", "assignedTo": "secops@contoso.test"})
	if r.status != 200 || r.json(t)["status"] != "resolved" || r.json(t)["resolvedDateTime"] == nil {
		t.Fatalf("PATCH alert: %d %s", r.status, r.body)
	}
	if r := c.do("PATCH", "/security/alerts_v2/"+id, map[string]any{"status": "closed"}); r.status != 400 {
		t.Errorf("PATCH bad status: %d", r.status)
	}
	if r := c.do("PATCH", "/security/alerts_v2/"+id, map[string]any{"title": "x"}); r.status != 400 {
		t.Errorf("PATCH title: %d", r.status)
	}

	users, _ := c.all(q("/identityProtection/riskyUsers?$filter=riskLevel eq 'high'"))
	uid := users[0]["id"].(string)
	if r := c.do("POST", "/identityProtection/riskyUsers/dismiss", map[string]any{"userIds": []string{uid}}); r.status != 204 {
		t.Fatalf("dismiss: %d %s", r.status, r.body)
	}
	if u := c.get("/identityProtection/riskyUsers/" + uid); u["riskState"] != "dismissed" || u["riskLevel"] != "none" {
		t.Errorf("after dismiss: %v %v", u["riskState"], u["riskLevel"])
	}
	if h, _ := c.all("/identityProtection/riskyUsers/" + uid + "/history"); len(h) != 2 {
		t.Errorf("history: %d entries", len(h))
	}
	if r := c.do("POST", "/identityProtection/riskyUsers/confirmCompromised", map[string]any{"userIds": []string{uid}}); r.status != 204 {
		t.Fatalf("confirmCompromised: %d", r.status)
	}
	if u := c.get("/identityProtection/riskyUsers/" + uid); u["riskState"] != "confirmedCompromised" || u["riskLevel"] != "high" {
		t.Errorf("after confirm: %v", u)
	}

	if r := c.do("POST", "/users/"+uid+"/revokeSignInSessions", nil); r.status != 200 || r.json(t)["value"] != true {
		t.Fatalf("revoke: %d %s", r.status, r.body)
	}
	if u := c.get("/users/" + uid + "?$select=signInSessionsValidFromDateTime"); u["signInSessionsValidFromDateTime"] == nil {
		t.Error("revoke did not move signInSessionsValidFromDateTime")
	}
	if r := c.do("PATCH", "/users/"+uid, map[string]any{"accountEnabled": false}); r.status != 204 {
		t.Fatalf("disable: %d %s", r.status, r.body)
	}
	if u := c.get("/users/" + uid + "?$select=accountEnabled"); u["accountEnabled"] != false {
		t.Error("user still enabled")
	}

	devs, _ := c.all(q("/deviceManagement/managedDevices?$filter=operatingSystem eq 'Windows'"))
	var rtp string
	for _, d := range devs {
		if ps := c.get("/deviceManagement/managedDevices/" + d["id"].(string) + "/windowsProtectionState"); ps["realTimeProtectionEnabled"] == false {
			rtp = d["id"].(string)
		}
	}
	base := "/deviceManagement/managedDevices/" + rtp
	for _, a := range []struct {
		action string
		body   any
	}{{"windowsDefenderUpdateSignatures", nil}, {"windowsDefenderScan", map[string]any{"quickScan": true}},
		{"syncDevice", nil}, {"wipe", map[string]any{"keepEnrollmentData": false, "keepUserData": false}}} {
		if r := c.do("POST", base+"/"+a.action, a.body); r.status != 204 {
			t.Fatalf("%s: %d %s", a.action, r.status, r.body)
		}
	}
	if ps := c.get(base + "/windowsProtectionState"); ps["signatureUpdateOverdue"] != false {
		t.Error("signatures still overdue")
	}
	d := c.get(base)
	results, _ := d["deviceActionResults"].([]any)
	if len(results) != 4 || results[3].(map[string]any)["actionName"] != "wipe" || results[3].(map[string]any)["actionState"] != "pending" {
		t.Errorf("deviceActionResults: %v", results)
	}
	if r := c.do("POST", base+"/wipe", map[string]any{"keepEverything": true}); r.status != 400 {
		t.Errorf("wipe with unknown parameter: %d", r.status)
	}
	iphones, _ := c.all(q("/deviceManagement/managedDevices?$filter=operatingSystem eq 'iOS'"))
	if r := c.do("POST", "/deviceManagement/managedDevices/"+iphones[0]["id"].(string)+"/windowsDefenderScan", map[string]any{"quickScan": true}); r.status != 400 {
		t.Errorf("Defender scan on iOS: %d", r.status)
	}
	if r := c.do("POST", "/deviceManagement/managedDevices/00000000-0000-0000-0000-000000000000/wipe", nil); r.status != 404 {
		t.Errorf("wipe of unknown device: %d", r.status)
	}
}

// TestMDEAudience: each API accepts only tokens for its own resource.
func TestMDEAudience(t *testing.T) {
	l, c := startSecurity(t)
	m := c.mde()
	api := l.URL + "/api"
	if r := c.do("GET", api+"/machines", nil); r.status != 401 || r.errorCode(t) != "Unauthorized" {
		t.Errorf("Graph token on MDE: %d %s", r.status, r.body)
	}
	if r := m.do("GET", "/users", nil); r.status != 401 {
		t.Errorf("MDE token on Graph: %d", r.status)
	}
	if _, r := c.scopedToken("https://graph.microsoft.com/.default https://api.securitycenter.microsoft.com/.default"); r.status != 400 {
		t.Errorf("two resources in one scope: %d", r.status)
	}
	machines, _ := m.all(api + "/machines")
	if len(machines) < 5 {
		t.Fatalf("%d machines", len(machines))
	}
	devs, _ := c.all(q("/deviceManagement/managedDevices?$filter=operatingSystem eq 'Windows'"))
	if len(devs) != len(machines) {
		t.Errorf("%d Windows devices, %d machines", len(devs), len(machines))
	}
	aad := devs[0]["azureADDeviceId"].(string)
	byAAD, _ := m.all(api + q("/machines?$filter=aadDeviceId eq '"+aad+"'"))
	if len(byAAD) != 1 {
		t.Fatalf("machines by aadDeviceId: %d", len(byAAD))
	}
	mid := byAAD[0]["id"].(string)
	r := m.do("POST", api+"/machines/"+mid+"/isolate", map[string]any{"Comment": "test", "IsolationType": "Full"})
	if r.status != 201 || r.json(t)["status"] != "Pending" || r.json(t)["type"] != "Isolate" {
		t.Fatalf("isolate: %d %s", r.status, r.body)
	}
	action := r.json(t)["id"].(string)
	if r := m.do("POST", api+"/machines/"+mid+"/isolate", map[string]any{"Comment": "again", "IsolationType": "Full"}); r.status != 400 {
		t.Errorf("second isolate: %d", r.status)
	}
	if r := m.do("POST", api+"/machines/"+mid+"/isolate", map[string]any{"IsolationType": "Full"}); r.status != 400 {
		t.Errorf("isolate without comment: %d", r.status)
	}
	m.get(api + "/machineactions/" + action) // first read: still pending
	if a := m.get(api + "/machineactions/" + action); a["status"] != "Succeeded" {
		t.Errorf("action status %v", a["status"])
	}
	if r := m.do("POST", api+"/machines/"+mid+"/unisolate", map[string]any{"Comment": "release"}); r.status != 201 {
		t.Errorf("unisolate: %d %s", r.status, r.body)
	}
	if r := m.do("POST", api+"/machines/"+mid+"/runAntiVirusScan", map[string]any{"Comment": "scan", "ScanType": "Quick"}); r.status != 201 {
		t.Errorf("scan: %d %s", r.status, r.body)
	}
	acts, _ := m.all(api + q("/machineactions?$filter=machineId eq '"+mid+"'"))
	if len(acts) != 3 {
		t.Errorf("%d machine actions", len(acts))
	}
	if alerts, _ := m.all(api + "/alerts"); len(alerts) != 1 {
		t.Errorf("%d MDE alerts", len(alerts))
	}
	var isolate int64
	for _, e := range l.Stats().Endpoints {
		if strings.Contains(e.Endpoint, "isolate") && !strings.Contains(e.Endpoint, "unisolate") {
			isolate += e.Requests
		}
	}
	if isolate != 3 {
		t.Errorf("counters: %d isolate requests, want 3", isolate)
	}
}

// TestSecurityPermissions: each route demands its documented permission.
func TestSecurityPermissions(t *testing.T) {
	l, c := startSecurity(t, "User.Read.All", "DeviceManagementManagedDevices.Read.All", "Machine.Read.All")
	if r := c.do("GET", "/security/alerts_v2", nil); r.status != 403 {
		t.Errorf("alerts without SecurityAlert.Read.All: %d", r.status)
	}
	if r := c.do("GET", "/deviceManagement/managedDevices", nil); r.status != 200 {
		t.Errorf("devices with Read.All: %d", r.status)
	}
	devs, _ := c.all("/deviceManagement/managedDevices")
	r := c.do("POST", "/deviceManagement/managedDevices/"+devs[0]["id"].(string)+"/wipe", nil)
	if r.status != 403 || !strings.Contains(string(r.body), "PrivilegedOperations") {
		t.Errorf("wipe without PrivilegedOperations: %d %s", r.status, r.body)
	}
	m := c.mde()
	machines, _ := m.all(l.URL + "/api/machines")
	r = m.do("POST", l.URL+"/api/machines/"+machines[0]["id"].(string)+"/isolate", map[string]any{"Comment": "x", "IsolationType": "Full"})
	if r.status != 403 || !strings.Contains(string(r.body), "Machine.Isolate") {
		t.Errorf("isolate without Machine.Isolate: %d %s", r.status, r.body)
	}
	if r := m.do("GET", l.URL+"/api/alerts", nil); r.status != 403 {
		t.Errorf("MDE alerts without Alert.Read.All: %d", r.status)
	}
}

// TestSecurityComments: POST .../comments on an alert and an incident
// answers the whole collection, stamps the caller's app name and moves
// lastUpdateDateTime; bad bodies are 400, unknown ids 404.
func TestSecurityComments(t *testing.T) {
	_, c := startSecurity(t)
	alerts, _ := c.all("/security/alerts_v2")
	incidents, _ := c.all("/security/incidents")
	for _, tc := range []struct{ path, context string }{
		{"/security/alerts_v2/" + alerts[0]["id"].(string), "security/alerts_v2('" + alerts[0]["id"].(string) + "')/comments"},
		{"/security/incidents/" + incidents[0]["id"].(string), "security/incidents('" + incidents[0]["id"].(string) + "')/comments"},
	} {
		before := c.get(tc.path)
		var last map[string]any
		for i, text := range []string{"first look", "contained"} {
			r := c.do("POST", tc.path+"/comments", map[string]any{"@odata.type": "microsoft.graph.security.alertComment", "comment": text})
			if r.status != 200 {
				t.Fatalf("%s: POST comment: %d %s", tc.path, r.status, r.body)
			}
			m := r.json(t)
			vals, _ := m["value"].([]any)
			if len(vals) != i+1 || !strings.HasSuffix(m["@odata.context"].(string), "/$metadata#"+tc.context) {
				t.Fatalf("%s: answer %s", tc.path, r.body)
			}
			last = vals[i].(map[string]any)
		}
		if last["comment"] != "contained" || last["createdByDisplayName"] != "SafeGuard365 (emulated)" || last["createdDateTime"] == nil {
			t.Errorf("%s: comment %v", tc.path, last)
		}
		after := c.get(tc.path)
		if cs, _ := after["comments"].([]any); len(cs) != 2 {
			t.Errorf("%s: %d comments stored", tc.path, len(cs))
		}
		if after["lastUpdateDateTime"] == before["lastUpdateDateTime"] {
			t.Errorf("%s: lastUpdateDateTime did not move", tc.path)
		}
		for _, body := range []any{map[string]any{}, map[string]any{"comment": "  "}, map[string]any{"comment": 3},
			map[string]any{"comment": "x", "createdByDisplayName": "me"}, map[string]any{"@odata.type": "x", "comment": "x"}, "text"} {
			if r := c.do("POST", tc.path+"/comments", body); r.status != 400 {
				t.Errorf("%s: body %v: %d", tc.path, body, r.status)
			}
		}
	}
	for _, p := range []string{"/security/alerts_v2/nope/comments", "/security/incidents/999999/comments"} {
		if r := c.do("POST", p, map[string]any{"comment": "x"}); r.status != 404 || r.errorCode(t) != "NotFound" {
			t.Errorf("%s: %d %s", p, r.status, r.body)
		}
	}
}

// TestSecurityCommentPermissions: commenting needs the ReadWrite
// permission; the read permission alone is refused.
func TestSecurityCommentPermissions(t *testing.T) {
	_, c := startSecurity(t, "SecurityAlert.Read.All", "SecurityIncident.Read.All")
	alerts, _ := c.all("/security/alerts_v2")
	incidents, _ := c.all("/security/incidents")
	for _, p := range []string{"/security/alerts_v2/" + alerts[0]["id"].(string), "/security/incidents/" + incidents[0]["id"].(string)} {
		if r := c.do("POST", p+"/comments", map[string]any{"comment": "x"}); r.status != 403 {
			t.Errorf("%s without ReadWrite: %d %s", p, r.status, r.body)
		}
		if cs, _ := c.get(p)["comments"].([]any); len(cs) != 0 {
			t.Errorf("%s: refused comment stored", p)
		}
	}
}
