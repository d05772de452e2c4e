package m365sim

import (
	"net/http"
	"slices"
)

// Application permissions (app roles) the emulator checks, as named in
// https://learn.microsoft.com/en-us/graph/permissions-reference.
var (
	rolesUserRead   = []string{"User.Read.All", "User.ReadWrite.All", "Directory.Read.All", "Directory.ReadWrite.All"}
	rolesGroupRead  = []string{"Group.Read.All", "Group.ReadWrite.All", "GroupMember.Read.All", "Directory.Read.All", "Directory.ReadWrite.All"}
	rolesOrgRead    = []string{"Organization.Read.All", "Organization.ReadWrite.All", "Directory.Read.All", "Directory.ReadWrite.All"}
	rolesDomainRead = []string{"Domain.Read.All", "Domain.ReadWrite.All", "Directory.Read.All", "Directory.ReadWrite.All"}
	rolesMailRead   = []string{"Mail.Read", "Mail.ReadWrite"}
	rolesMailWrite  = []string{"Mail.ReadWrite"}
	rolesCalRead    = []string{"Calendars.Read", "Calendars.ReadWrite"}
	rolesCalWrite   = []string{"Calendars.ReadWrite"}
	rolesConRead    = []string{"Contacts.Read", "Contacts.ReadWrite"}
	rolesConWrite   = []string{"Contacts.ReadWrite"}
	rolesFilesRead  = []string{"Files.Read.All", "Files.ReadWrite.All", "Sites.Read.All", "Sites.ReadWrite.All", "Sites.FullControl.All"}
	rolesFilesWrite = []string{"Files.ReadWrite.All", "Sites.ReadWrite.All", "Sites.FullControl.All"}
)

// AllRoles returns every application permission the emulator knows, the
// default grant of the generated app registration.
func AllRoles() []string {
	var all []string
	for _, set := range [][]string{rolesUserRead, rolesGroupRead, rolesOrgRead, rolesDomainRead,
		rolesMailWrite, rolesMailRead, rolesCalWrite, rolesCalRead, rolesConWrite, rolesConRead, rolesFilesWrite, rolesFilesRead,
		configRoles, securityRoles} {
		for _, r := range set {
			if !slices.Contains(all, r) {
				all = append(all, r)
			}
		}
	}
	return all
}

// denyStyle selects the 403 body of the service that owns a resource: each
// workload answers a missing permission in its own words.
type denyStyle int

const (
	denyDirectory denyStyle = iota
	denyExchange
	denyDrive
	denyIntune
	denyIntuneDevices // managed devices and their actions (security_routes.go)
	denySecurity      // Graph security: alerts, incidents, Defender for Identity, Secure Score
)

func accessDenied(w http.ResponseWriter, r *http.Request, style denyStyle) {
	switch style {
	case denyExchange:
		graphError(w, r, http.StatusForbidden, "ErrorAccessDenied", "Access is denied. Check credentials and try again.")
	case denyIntune:
		graphError(w, r, http.StatusForbidden, "Forbidden", "Application is not authorized to perform this operation. Application must have one of the following scopes: DeviceManagementConfiguration.Read.All, DeviceManagementConfiguration.ReadWrite.All")
	case denyIntuneDevices:
		graphError(w, r, http.StatusForbidden, "Forbidden", "Application is not authorized to perform this operation. Application must have one of the following scopes: DeviceManagementManagedDevices.Read.All, DeviceManagementManagedDevices.ReadWrite.All, DeviceManagementManagedDevices.PrivilegedOperations.All")
	case denySecurity:
		graphError(w, r, http.StatusForbidden, "Forbidden", "Missing application roles. The API requires one of the security permissions documented for it.")
	case denyDrive:
		graphError(w, r, http.StatusForbidden, "accessDenied", "Either scp or roles claim need to be present in the token.")
	default:
		graphError(w, r, http.StatusForbidden, "Authorization_RequestDenied", "Insufficient privileges to complete the operation.")
	}
}
