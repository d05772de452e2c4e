package deviceguard

import (
	"errors"
	"fmt"
	"strings"

	"github.com/safeguard365/safeguard365/internal/graph"
)

// requiredPermissions maps the calls DeviceGuard makes to the application
// permission each needs (least privileged first), from each API's reference
// page, so a 403 can say what to grant.
var requiredPermissions = []struct {
	prefix, permission string
}{
	{"GET /deviceManagement/", "DeviceManagementManagedDevices.Read.All (Microsoft Graph)"},
	{"POST /deviceManagement/", "DeviceManagementManagedDevices.PrivilegedOperations.All (Microsoft Graph)"},
	{"GET /security/alerts_v2", "SecurityAlert.Read.All (Microsoft Graph)"},
	{"GET /security/secureScore", "SecurityEvents.Read.All (Microsoft Graph)"},
	{"GET /api/machines", "Machine.Read.All (WindowsDefenderATP)"},
	{"POST /api/machines/{id}/isolate", "Machine.Isolate (WindowsDefenderATP)"},
	{"POST /api/machines/{id}/unisolate", "Machine.Isolate (WindowsDefenderATP)"},
	{"POST /api/machines/{id}/runAntiVirusScan", "Machine.Scan (WindowsDefenderATP)"},
}

// permissionFor returns the permission the call endpoint ("METHOD /path")
// needs, or "".
func permissionFor(endpoint string) string {
	for _, p := range requiredPermissions {
		if strings.HasPrefix(endpoint, p.prefix) {
			return p.permission
		}
	}
	return ""
}

// explain adds the missing permission to a 403 and says what a 401 from
// the Defender for Endpoint API usually means.
func explain(err error, endpoint string) error {
	switch {
	case errors.Is(err, graph.ErrForbidden):
		if p := permissionFor(endpoint); p != "" {
			return fmt.Errorf("%w (the app needs the application permission %s, with admin consent)", err, p)
		}
	case errors.Is(err, graph.ErrUnauthorized) && strings.Contains(endpoint, "/api/"):
		return fmt.Errorf("%w (Defender for Endpoint refused the token: the app needs a WindowsDefenderATP permission with admin consent)", err)
	}
	return err
}
