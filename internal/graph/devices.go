package graph

import (
	"context"
	"encoding/json"
	"iter"
	"net/http"
	"net/url"
	"strings"
)

// ManagedDevice is an Intune managed device with the fields DeviceGuard
// joins and names devices by. Raw holds the JSON Graph returned.
// https://learn.microsoft.com/en-us/graph/api/resources/intune-devices-manageddevice
type ManagedDevice struct {
	ID                string          `json:"id"`
	DeviceName        string          `json:"deviceName"`
	OperatingSystem   string          `json:"operatingSystem"`
	AzureADDeviceID   string          `json:"azureADDeviceId"`
	UserPrincipalName string          `json:"userPrincipalName"`
	ComplianceState   string          `json:"complianceState"`
	Raw               json.RawMessage `json:"-"`
}

func (m *ManagedDevice) setRaw(r json.RawMessage) { m.Raw = r }

// managedDeviceSelect lists the properties DeviceGuard reads.
// deviceHealthAttestationState is returned only when selected
// (intune-devices-manageddevice-get).
var managedDeviceSelect = strings.Join([]string{"id", "deviceName", "managedDeviceName", "userId", "userPrincipalName",
	"userDisplayName", "operatingSystem", "osVersion", "managedDeviceOwnerType", "enrolledDateTime", "lastSyncDateTime",
	"complianceState", "complianceGracePeriodExpirationDateTime", "jailBroken", "managementAgent", "deviceEnrollmentType",
	"azureADRegistered", "azureADDeviceId", "deviceRegistrationState", "isEncrypted", "isSupervised", "model",
	"manufacturer", "serialNumber", "androidSecurityPatchLevel", "partnerReportedThreatState", "deviceActionResults",
	"deviceHealthAttestationState"}, ",")

// ManagedDevices lists the tenant's Intune managed devices with the
// properties DeviceGuard reads.
func (c *Client) ManagedDevices(ctx context.Context) iter.Seq2[ManagedDevice, error] {
	return List[ManagedDevice](ctx, c, "/deviceManagement/managedDevices",
		WithQuery(url.Values{"$select": {managedDeviceSelect}}), WithOp("list managed devices"))
}

// ManagedDevice returns one managed device (all default properties).
func (c *Client) ManagedDevice(ctx context.Context, id string) (*ManagedDevice, error) {
	var d ManagedDevice
	var raw json.RawMessage
	if err := c.Get(ctx, Pathf("/deviceManagement/managedDevices/%s", id), &raw, WithOp("get managed device")); err != nil {
		return nil, err
	}
	if err := json.Unmarshal(raw, &d); err != nil {
		return nil, err
	}
	d.Raw = raw
	return &d, nil
}

// WindowsProtectionState returns a Windows device's Defender state as
// Graph returned it; a device without one answers ErrNotFound.
// https://learn.microsoft.com/en-us/graph/api/intune-devices-windowsprotectionstate-get
func (c *Client) WindowsProtectionState(ctx context.Context, id string) (json.RawMessage, error) {
	var raw json.RawMessage
	err := c.Get(ctx, Pathf("/deviceManagement/managedDevices/%s/windowsProtectionState", id), &raw,
		WithOp("get windows protection state"))
	return raw, err
}

// DeviceCompliancePolicyStates lists a device's per-policy compliance with
// its setting states.
// https://learn.microsoft.com/en-us/graph/api/intune-devices-devicecompliancepolicystate-list
func (c *Client) DeviceCompliancePolicyStates(ctx context.Context, id string) iter.Seq2[json.RawMessage, error] {
	return List[json.RawMessage](ctx, c, Pathf("/deviceManagement/managedDevices/%s/deviceCompliancePolicyStates", id),
		WithOp("list device compliance policy states"))
}

// DeviceDetectedApps lists the apps detected on one device. Graph serves
// this per-device list on beta only, so the call goes to the beta
// endpoint of the same host.
// https://learn.microsoft.com/en-us/graph/api/intune-devices-manageddevice-get?view=graph-rest-beta
func (c *Client) DeviceDetectedApps(ctx context.Context, id string) iter.Seq2[json.RawMessage, error] {
	req := Request{URL: c.betaURL(Pathf("/deviceManagement/managedDevices/%s/detectedApps", id)), Op: "list device detected apps (beta)"}
	return listRequest[json.RawMessage](ctx, c, req)
}

// betaURL returns the absolute beta URL of path: the base URL with its
// final version segment replaced by "beta".
func (c *Client) betaURL(path string) string {
	base := c.base
	if i := strings.LastIndex(base, "/"); i > strings.Index(base, "://")+2 {
		base = base[:i]
	}
	return base + "/beta" + path
}

// DeviceAction names a remote action on a managed device, as the path
// segment of POST managedDevices/{id}/{action}.
type DeviceAction string

// Device actions. Each needs DeviceManagementManagedDevices.PrivilegedOperations.All.
// https://learn.microsoft.com/en-us/graph/api/resources/intune-devices-manageddevice
const (
	DeviceSync             DeviceAction = "syncDevice"
	DeviceDefenderScan     DeviceAction = "windowsDefenderScan"             // body {"quickScan": bool}
	DeviceUpdateSignatures DeviceAction = "windowsDefenderUpdateSignatures" // no body
	DeviceReboot           DeviceAction = "rebootNow"
	DeviceLock             DeviceAction = "remoteLock"
	DeviceRetire           DeviceAction = "retire"
	DeviceWipe             DeviceAction = "wipe" // body {keepEnrollmentData, keepUserData, macOsUnlockCode, persistEsimDataPlan}
)

// RunDeviceAction posts action for managed device id with body (nil for
// none). Intune answers 204; the action's progress shows in the device's
// deviceActionResults. It is not retried after a lost connection.
func (c *Client) RunDeviceAction(ctx context.Context, id string, action DeviceAction, body any) error {
	return c.Send(ctx, http.MethodPost, Pathf("/deviceManagement/managedDevices/%s/", id)+string(action), body, nil,
		WithOp("device action "+string(action)))
}
