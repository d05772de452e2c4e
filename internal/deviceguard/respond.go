package deviceguard

import (
	"context"
	"errors"
	"fmt"
	"iter"
	"net/http"
	"slices"
	"strings"

	"github.com/safeguard365/safeguard365/internal/graph"
)

// Response action names, as "sg365 respond device ACTION" spells them.
const (
	ActionSync             = "sync"
	ActionScan             = "scan"
	ActionUpdateSignatures = "update-signatures"
	ActionReboot           = "reboot"
	ActionLock             = "lock"
	ActionIsolate          = "isolate"
	ActionRelease          = "release"
	ActionRetire           = "retire"
	ActionWipe             = "wipe"
)

// actionSpec says how an action is carried out: through Intune (a Graph
// managed device action) or the Defender for Endpoint API (a machine
// action), and what it needs.
type actionSpec struct {
	intune      graph.DeviceAction
	mde         graph.MachineActionKind
	destructive bool   // erases or unenrolls: needs the name typed back or --force
	permission  string // the application permission it needs
}

var actionSpecs = map[string]actionSpec{
	ActionSync:             {intune: graph.DeviceSync, permission: intunePriv},
	ActionScan:             {intune: graph.DeviceDefenderScan, permission: intunePriv},
	ActionUpdateSignatures: {intune: graph.DeviceUpdateSignatures, permission: intunePriv},
	ActionReboot:           {intune: graph.DeviceReboot, permission: intunePriv},
	ActionLock:             {intune: graph.DeviceLock, permission: intunePriv},
	ActionIsolate:          {mde: graph.ActionIsolate, permission: "Machine.Isolate (WindowsDefenderATP)"},
	ActionRelease:          {mde: graph.ActionUnisolate, permission: "Machine.Isolate (WindowsDefenderATP)"},
	ActionRetire:           {intune: graph.DeviceRetire, destructive: true, permission: intunePriv},
	ActionWipe:             {intune: graph.DeviceWipe, destructive: true, permission: intunePriv},
}

const intunePriv = "DeviceManagementManagedDevices.PrivilegedOperations.All (Microsoft Graph)"

// Actions lists the response action names in help order.
func Actions() []string {
	return []string{ActionSync, ActionScan, ActionUpdateSignatures, ActionReboot, ActionLock, ActionIsolate,
		ActionRelease, ActionRetire, ActionWipe}
}

// Destructive reports whether action erases data or removes management
// (retire, wipe); such actions need extra confirmation.
func Destructive(action string) bool { return actionSpecs[action].destructive }

// Params are the options of an action; each action reads only its own.
type Params struct {
	FullScan           bool   // scan: a full rather than a quick scan
	IsolationType      string // isolate: "Full" (default) or "Selective"
	KeepUserData       bool   // wipe
	KeepEnrollmentData bool   // wipe
	Comment            string // isolate, release: the comment MDE records (required there)
}

// deviceAPI is what the responder calls through Graph.
type deviceAPI interface {
	ManagedDevices(ctx context.Context) iter.Seq2[graph.ManagedDevice, error]
	RunDeviceAction(ctx context.Context, id string, action graph.DeviceAction, body any) error
	BaseURL() string
}

// machineAPI is what the responder calls on the Defender for Endpoint API.
type machineAPI interface {
	Machines(ctx context.Context, filter string) iter.Seq2[graph.Machine, error]
	StartMachineAction(ctx context.Context, id string, action graph.MachineActionKind, body any) (*graph.MachineAction, error)
	BaseURL() string
}

var (
	_ deviceAPI  = (*graph.Client)(nil)
	_ machineAPI = (*graph.Client)(nil)
)

// Responder plans and runs response actions. MDE may be nil when the
// Defender for Endpoint API is not configured; isolate and release then
// fail to plan.
type Responder struct {
	Graph deviceAPI
	MDE   machineAPI
}

// ErrNoDevice is returned when no device matches the name or id given.
var ErrNoDevice = errors.New("no such device")

// ErrAmbiguous is returned when a name matches several devices.
var ErrAmbiguous = errors.New("device name is ambiguous")

// Plan resolves device (an Intune device name or id, or for isolate and
// release also a Defender machine id or DNS name) and returns the call
// action would make. It only reads.
func (r *Responder) Plan(ctx context.Context, action, device string, p Params) (*Plan, error) {
	spec, ok := actionSpecs[action]
	if !ok {
		return nil, fmt.Errorf("unknown action %q (want %s)", action, strings.Join(Actions(), ", "))
	}
	if spec.mde != "" && r.MDE == nil {
		return nil, fmt.Errorf("%s needs the Defender for Endpoint API, which is not configured", action)
	}
	t, err := r.resolve(ctx, device, spec.mde != "")
	if err != nil {
		return nil, err
	}
	plan := &Plan{Action: action, Target: t, Method: http.MethodPost, Permission: spec.permission, Destructive: spec.destructive}
	if spec.intune != "" {
		if t.DeviceID == "" {
			return nil, fmt.Errorf("%q is not an Intune managed device: %w", device, ErrNoDevice)
		}
		plan.URL = r.Graph.BaseURL() + graph.Pathf("/deviceManagement/managedDevices/%s/", t.DeviceID) + string(spec.intune)
		switch action {
		case ActionScan:
			plan.Body = map[string]any{"quickScan": !p.FullScan}
		case ActionWipe:
			plan.Body = map[string]any{"keepEnrollmentData": p.KeepEnrollmentData, "keepUserData": p.KeepUserData}
		}
		return plan, nil
	}
	if t.MachineID == "" {
		return nil, fmt.Errorf("%s is not onboarded to Defender for Endpoint (no machine with its Entra device id): %w", t.Name(), ErrNoDevice)
	}
	plan.URL = r.MDE.BaseURL() + graph.Pathf("/machines/%s/", t.MachineID) + string(spec.mde)
	comment := p.Comment
	if comment == "" {
		comment = "sg365 respond device " + action
	}
	plan.Body = map[string]any{"Comment": comment}
	if action == ActionIsolate {
		it := p.IsolationType
		if it == "" {
			it = "Full"
		}
		if it != "Full" && it != "Selective" {
			return nil, fmt.Errorf("isolation type %q: want Full or Selective", it)
		}
		plan.Body["IsolationType"] = it
	}
	return plan, nil
}

// resolve finds the managed device named or identified by device and, when
// machine is set, its Defender for Endpoint machine (joined by the Entra
// device id).
func (r *Responder) resolve(ctx context.Context, device string, machine bool) (Target, error) {
	var matches []Target
	for d, err := range r.Graph.ManagedDevices(ctx) {
		if err != nil {
			return Target{}, explain(err, "GET /deviceManagement/managedDevices")
		}
		if strings.EqualFold(d.ID, device) || strings.EqualFold(d.DeviceName, device) {
			matches = append(matches, Target{DeviceID: d.ID, DeviceName: d.DeviceName, AzureADDeviceID: d.AzureADDeviceID,
				OperatingSystem: d.OperatingSystem})
		}
	}
	if i := slices.IndexFunc(matches, func(t Target) bool { return strings.EqualFold(t.DeviceID, device) }); i >= 0 {
		matches = matches[i : i+1] // an id wins over a name
	}
	if len(matches) > 1 {
		ids := make([]string, len(matches))
		for i, m := range matches {
			ids[i] = m.DeviceID
		}
		return Target{}, fmt.Errorf("%q names %d devices (%s); give the device id: %w", device, len(matches), strings.Join(ids, ", "), ErrAmbiguous)
	}
	if !machine {
		if len(matches) == 0 {
			return Target{}, fmt.Errorf("%q: %w", device, ErrNoDevice)
		}
		return matches[0], nil
	}
	var t Target
	filter := ""
	if len(matches) == 1 {
		t = matches[0]
		if t.AzureADDeviceID == "" {
			return t, nil
		}
		filter = "aadDeviceId eq '" + strings.ReplaceAll(t.AzureADDeviceID, "'", "''") + "'"
	}
	for m, err := range r.MDE.Machines(ctx, filter) {
		if err != nil {
			return Target{}, explain(err, "GET /api/machines")
		}
		host, _, _ := strings.Cut(m.ComputerDNSName, ".")
		if filter != "" || strings.EqualFold(m.ID, device) || strings.EqualFold(m.ComputerDNSName, device) || strings.EqualFold(host, device) {
			t.MachineID, t.MachineName = m.ID, m.ComputerDNSName
			break
		}
	}
	if t.DeviceID == "" && t.MachineID == "" {
		return Target{}, fmt.Errorf("%q: %w", device, ErrNoDevice)
	}
	return t, nil
}

// Execute sends the plan's call. A 403 is explained with the permission
// the action needs.
func (r *Responder) Execute(ctx context.Context, plan *Plan) (Outcome, error) {
	spec := actionSpecs[plan.Action]
	var body any
	if plan.Body != nil {
		body = plan.Body
	}
	if spec.intune != "" {
		if err := r.Graph.RunDeviceAction(ctx, plan.Target.DeviceID, spec.intune, body); err != nil {
			return Outcome{Result: "failed"}, permissionError(err, plan)
		}
		return Outcome{Result: "succeeded", Detail: "accepted by Intune; progress shows in the device's deviceActionResults"}, nil
	}
	a, err := r.MDE.StartMachineAction(ctx, plan.Target.MachineID, spec.mde, body)
	if err != nil {
		return Outcome{Result: "failed"}, permissionError(err, plan)
	}
	return Outcome{Result: "succeeded", Detail: fmt.Sprintf("machine action %s %s", a.ID, a.Status)}, nil
}

func permissionError(err error, plan *Plan) error {
	if errors.Is(err, graph.ErrForbidden) {
		return fmt.Errorf("%s %s: %w (the app needs the application permission %s, with admin consent)",
			plan.Action, plan.Target.Name(), err, plan.Permission)
	}
	return fmt.Errorf("%s %s: %w", plan.Action, plan.Target.Name(), err)
}
