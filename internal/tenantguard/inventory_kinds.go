package tenantguard

import (
	"net/url"
	"slices"
)

// ContextKinds are read-only resources that posture assessment reads
// beside the configuration kinds: licences, domains, the directory objects
// that hold roles, and PIM state in force. They are not configuration a
// restore writes back, and users and groups change all the time, so they
// are not part of Registry: Snapshot does not store them and Diff never
// reports them as drift. CollectInventory reads them live (see
// docs/inventory.md for each key's request).
var ContextKinds = []*Kind{
	{Name: "organization", Path: "/organization", Restore: RestoreNone, Permission: "Organization.Read.All"},
	{Name: "subscribedSkus", Path: "/subscribedSkus", Restore: RestoreNone, Permission: "Organization.Read.All"},
	{Name: "domains", Path: "/domains", Restore: RestoreNone, Permission: "Domain.Read.All"},
	{Name: "users", Path: "/users", Restore: RestoreNone, Permission: "User.Read.All",
		Query: url.Values{"$select": {"id,displayName,userPrincipalName,userType,accountEnabled,onPremisesImmutableId,onPremisesSyncEnabled"}}},
	// groups that can hold a role; collectContextKind adds each one's
	// members, as docs/inventory.md specifies.
	{Name: "groups", Path: "/groups", Restore: RestoreNone, Permission: "GroupMember.Read.All",
		Query: url.Values{"$filter": {"isAssignableToRole eq true"}, "$select": {"id,displayName,isAssignableToRole,onPremisesSyncEnabled"}}},
	{Name: "roleAssignmentScheduleInstances", Path: "/roleManagement/directory/roleAssignmentScheduleInstances",
		Restore: RestoreNone, Permission: "RoleAssignmentSchedule.Read.Directory"},
	{Name: "roleEligibilityScheduleInstances", Path: "/roleManagement/directory/roleEligibilityScheduleInstances",
		Restore: RestoreNone, Permission: "RoleEligibilitySchedule.Read.Directory"},
	{Name: "defaultAppManagementPolicy", Path: "/policies/defaultAppManagementPolicy", Singleton: true,
		Restore: RestoreNone, Permission: "Policy.Read.All"},
}

// ContextKindNames returns the names of ContextKinds.
func ContextKindNames() []string {
	out := make([]string, len(ContextKinds))
	for i, k := range ContextKinds {
		out[i] = k.Name
	}
	return out
}

// lookupAny returns the kind of that name from Registry or ContextKinds.
func lookupAny(name string) *Kind {
	if k := Lookup(name); k != nil {
		return k
	}
	i := slices.IndexFunc(ContextKinds, func(k *Kind) bool { return k.Name == name })
	if i < 0 {
		return nil
	}
	return ContextKinds[i]
}
