package audit

import "time"

// Target is what an action applies to, as resolved from the name or id the
// operator gave. Device actions fill the device fields, user actions the
// user fields, alert updates the alert fields; the JSON of entries written
// before user targets existed reads unchanged.
type Target struct {
	DeviceID        string `json:"deviceId,omitempty"` // Intune managed device id
	DeviceName      string `json:"deviceName,omitempty"`
	AzureADDeviceID string `json:"azureADDeviceId,omitempty"`
	OperatingSystem string `json:"operatingSystem,omitempty"`
	MachineID       string `json:"machineId,omitempty"` // Defender for Endpoint machine id
	MachineName     string `json:"machineName,omitempty"`

	UserID            string `json:"userId,omitempty"` // Entra ID object id
	UserPrincipalName string `json:"userPrincipalName,omitempty"`

	AlertID    string `json:"alertId,omitempty"` // Graph alerts_v2 id
	AlertTitle string `json:"alertTitle,omitempty"`

	IncidentID   string `json:"incidentId,omitempty"` // Graph security incident id
	IncidentName string `json:"incidentName,omitempty"`

	// An on-premises AD account acted on through Defender for Identity.
	IdentityAccountID string `json:"identityAccountId,omitempty"` // security/identities/identityAccounts id
	AccountName       string `json:"accountName,omitempty"`       // its display name
	AccountDomain     string `json:"accountDomain,omitempty"`     // AD domain (DNS name)
	OnPremisesSID     string `json:"onPremisesSecurityIdentifier,omitempty"`
}

// Name is how the operator knows the target: a device name, a UPN, an
// alert id or "incident N", else the first id set.
func (t Target) Name() string {
	incident := ""
	if t.IncidentID != "" {
		incident = "incident " + t.IncidentID // bare incident ids are short numbers
	}
	for _, s := range []string{t.DeviceName, t.MachineName, t.UserPrincipalName, t.AlertID, incident, t.AccountName, t.DeviceID, t.MachineID, t.UserID,
		t.IdentityAccountID} {
		if s != "" {
			return s
		}
	}
	return ""
}

// Plan is exactly the call an action makes: what a dry run prints and what
// is executed after confirmation.
type Plan struct {
	Action      string         `json:"action"`
	Target      Target         `json:"target"`
	Method      string         `json:"method"`
	URL         string         `json:"url"`
	Body        map[string]any `json:"body,omitempty"`
	Permission  string         `json:"permission"`
	Destructive bool           `json:"destructive"`
}

// Call renders the request line, e.g. "POST https://graph.microsoft.com/v1.0/users/{id}/revokeSignInSessions".
func (p *Plan) Call() string { return p.Method + " " + p.URL }

// Outcome is what an executed action returned.
type Outcome struct {
	Result string `json:"result"`           // "succeeded" (accepted by the service) or "failed"
	Detail string `json:"detail,omitempty"` // e.g. the machine action id, or the state read back
}

// NewEntry fills an entry for plan's outcome. err is the action's error,
// if any; it makes the entry "failed" whatever out says.
func NewEntry(now time.Time, actor, tenantID string, plan *Plan, out Outcome, err error) Entry {
	e := Entry{Time: now.UTC(), Actor: actor, Tenant: tenantID, Action: plan.Action, Target: plan.Target,
		Call: plan.Call(), Parameters: plan.Body, Result: out.Result, Detail: out.Detail}
	if err != nil {
		e.Result, e.Error = "failed", err.Error()
	}
	if e.Result == "" {
		e.Result = "succeeded"
	}
	return e
}
