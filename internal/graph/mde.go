package graph

import (
	"context"
	"encoding/json"
	"fmt"
	"iter"
	"net/http"
	"net/url"
	"strings"
)

// Microsoft Defender for Endpoint's API: its resource (the token audience)
// and its default base URL. A Graph token is not accepted there; a client
// asks for a token with the scope MDEResource + "/.default".
// https://learn.microsoft.com/en-us/defender-endpoint/api/exposed-apis-create-app-webapp
const (
	MDEResource = "https://api.securitycenter.microsoft.com"
	MDEURL      = "https://api.securitycenter.microsoft.com/api"
)

// ForResource returns a Client for another API of the same tenant: requests
// go to base (no trailing slash) with tokens for scope ("{resource}/.default").
// The new Client shares c's credential, transport, throttle governor,
// metrics and retry settings, so every call of the tenant is paced and
// counted in one place; it has its own token cache, since a token is valid
// for one resource only.
func (c *Client) ForResource(base, scope string) (*Client, error) {
	base = strings.TrimRight(base, "/")
	u, err := url.Parse(base)
	if err != nil || u.Host == "" {
		return nil, fmt.Errorf("graph: %q is not an absolute URL", base)
	}
	if u.Scheme != "https" && !(u.Scheme == "http" && isLoopback(u.Hostname())) {
		return nil, fmt.Errorf("graph: %s must use https (http only for loopback)", base)
	}
	nc := *c
	nc.base = base
	nc.origin = strings.ToLower(u.Scheme + "://" + u.Host)
	nc.tokens = newTokenCache(c.tokens.cred, scope, c.opts.Now, c.opts.TokenRefreshAhead)
	return &nc, nil
}

// MDE returns a Client for the Defender for Endpoint API at base (MDEURL
// when empty), with tokens for MDEResource.
func (c *Client) MDE(base string) (*Client, error) {
	if base == "" {
		base = MDEURL
	}
	return c.ForResource(base, MDEResource+"/.default")
}

// Machine is a Defender for Endpoint machine. Raw holds the JSON the API
// returned.
// https://learn.microsoft.com/en-us/defender-endpoint/api/machine
type Machine struct {
	ID               string          `json:"id"`
	ComputerDNSName  string          `json:"computerDnsName"`
	AADDeviceID      string          `json:"aadDeviceId"`
	HealthStatus     string          `json:"healthStatus"`
	OnboardingStatus string          `json:"onboardingStatus"`
	RiskScore        string          `json:"riskScore"`
	ExposureLevel    string          `json:"exposureLevel"`
	Raw              json.RawMessage `json:"-"`
}

func (m *Machine) setRaw(r json.RawMessage) { m.Raw = r }

// MachineAction is a Defender for Endpoint response action and its state
// (Pending, InProgress, Succeeded, Failed, TimeOut, Cancelled).
// https://learn.microsoft.com/en-us/defender-endpoint/api/machineaction
type MachineAction struct {
	ID               string `json:"id"`
	Type             string `json:"type"`
	Scope            string `json:"scope"`
	Status           string `json:"status"`
	MachineID        string `json:"machineId"`
	Requestor        string `json:"requestor"`
	RequestorComment string `json:"requestorComment"`
	Created          string `json:"creationDateTimeUtc"`
}

// Machines lists the machines of the MDE API (call it on a Client from
// MDE), optionally filtered by an OData expression.
// https://learn.microsoft.com/en-us/defender-endpoint/api/get-machines
func (c *Client) Machines(ctx context.Context, filter string) iter.Seq2[Machine, error] {
	q := url.Values{}
	if filter != "" {
		q.Set("$filter", filter)
	}
	return List[Machine](ctx, c, "/machines", WithQuery(q), WithOp("list machines"))
}

// MDEAlerts lists the alerts of the MDE API as returned.
// https://learn.microsoft.com/en-us/defender-endpoint/api/get-alerts
func (c *Client) MDEAlerts(ctx context.Context) iter.Seq2[json.RawMessage, error] {
	return List[json.RawMessage](ctx, c, "/alerts", WithOp("list mde alerts"))
}

// MachineActionKind is a machine action of the MDE API.
type MachineActionKind string

// Machine actions DeviceGuard uses, as the path segments name them.
const (
	ActionIsolate   MachineActionKind = "isolate"
	ActionUnisolate MachineActionKind = "unisolate"
	ActionAVScan    MachineActionKind = "runAntiVirusScan"
)

// StartMachineAction posts action for machine id with body ({"Comment",
// "IsolationType"} for isolate, {"Comment"} for unisolate, {"Comment",
// "ScanType"} for runAntiVirusScan) and returns the created action. It is
// not retried after a lost connection: a second isolate fails with
// ActiveRequestAlreadyExists.
// https://learn.microsoft.com/en-us/defender-endpoint/api/isolate-machine
func (c *Client) StartMachineAction(ctx context.Context, id string, action MachineActionKind, body any) (*MachineAction, error) {
	var out MachineAction
	err := c.Send(ctx, http.MethodPost, Pathf("/machines/%s/", id)+string(action), body, &out,
		WithOp("machine action "+string(action)))
	if err != nil {
		return nil, err
	}
	return &out, nil
}

// MachineActions lists machine actions, optionally filtered (machineId,
// type, status, … eq), newest state as MDE reports it.
// https://learn.microsoft.com/en-us/defender-endpoint/api/get-machineactions-collection
func (c *Client) MachineActions(ctx context.Context, filter string) iter.Seq2[MachineAction, error] {
	q := url.Values{}
	if filter != "" {
		q.Set("$filter", filter)
	}
	return List[MachineAction](ctx, c, "/machineactions", WithQuery(q), WithOp("list machine actions"))
}

// GetMachineAction returns one machine action, to poll its status.
func (c *Client) GetMachineAction(ctx context.Context, id string) (*MachineAction, error) {
	var out MachineAction
	if err := c.Get(ctx, Pathf("/machineactions/%s", id), &out, WithOp("get machine action")); err != nil {
		return nil, err
	}
	return &out, nil
}
