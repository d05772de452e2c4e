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
}

// Name is how the operator knows the target: a device name, a UPN or an
// alert id, else the first id set.
func (t Target) Name() string {
	for _, s := range []string{t.DeviceName, t.MachineName, t.UserPrincipalName, t.AlertID, t.DeviceID, t.MachineID, t.UserID} {
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
