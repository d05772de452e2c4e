package tenantguard

import (
	"net/url"
	"slices"
)

// RestoreMethod is how a kind's objects are written back to Graph.
type RestoreMethod string

const (
	// RestorePatchSingleton PATCHes the kind's one object at its path.
	RestorePatchSingleton RestoreMethod = "patch-singleton"
	// RestorePostCreate POSTs missing objects to the collection and PATCHes
	// existing ones by key.
	RestorePostCreate RestoreMethod = "post-create"
	// RestorePatchByID PATCHes existing objects by key; they cannot be
	// created or deleted (authentication method configurations).
	RestorePatchByID RestoreMethod = "patch-by-id"
	// RestoreNone marks kinds kept for history and assessment only.
	RestoreNone RestoreMethod = "none"
)

// Kind describes one kind of configuration resource. Kinds are values in
// Registry and must not be modified.
type Kind struct {
	Name string // registry name, also the snapshot directory: "namedLocations"
	Path string // Graph v1.0 path
	// Query is sent with every list or get (required $filter, $expand).
	Query url.Values
	// Singleton kinds are one object at Path; the others are collections.
	Singleton bool
	// Key is the property that identifies an object: "id" unless set.
	Key string
	// MatchBy is the property that identifies an object when keys differ,
	// as after a restore into another tenant: usually "displayName".
	MatchBy string
	// Volatile lists top-level properties that change without a
	// configuration change (timestamps, version counters); they are
	// stripped before storing, beside the ones stripped everywhere (see
	// Canonical).
	Volatile []string
	// Ordered lists the JSON paths (dotted, see Change.Path) of arrays
	// whose order matters; every other array is a set.
	Ordered []string
	// Keep, when not nil, selects the objects to store (built-in role
	// definitions are Microsoft's, not the tenant's configuration).
	Keep func(obj map[string]any) bool
	// ReadOnly reports objects a restore must leave alone (built-in
	// authentication strengths).
	ReadOnly func(obj map[string]any) bool
	// Restore is how objects are written back; DependsOn names the kinds
	// that must be restored first because objects of this kind refer to
	// theirs (and whose ids a restore may remap).
	Restore   RestoreMethod
	DependsOn []string
	// Privileged kinds (roles, PIM) are restored only on explicit request.
	Privileged bool
	// ReadOnlyProps are top-level properties Graph sets itself and
	// rejects or ignores in request bodies; a restore never sends them
	// (beside the key, volatile properties and OData annotations).
	ReadOnlyProps []string
	// Typed kinds must name the object's @odata.type in every PATCH
	// body (named locations, method configurations, Intune policies).
	Typed bool
	// Permission is the least-privileged application permission that reads
	// the kind, named when Graph answers 403.
	Permission string
}

// key returns the kind's key property.
func (k *Kind) key() string {
	if k.Key == "" {
		return "id"
	}
	return k.Key
}

func builtIn(prop, value string) func(map[string]any) bool {
	return func(o map[string]any) bool { return o[prop] == value }
}

func filter(f string) url.Values { return url.Values{"$filter": {f}} }

// Registry lists the kinds in restore order: a kind comes after those it
// depends on.
var Registry = []*Kind{
	{Name: "namedLocations", Path: "/identity/conditionalAccess/namedLocations", MatchBy: "displayName",
		Restore: RestorePostCreate, Typed: true, Permission: "Policy.Read.All"},
	{Name: "authenticationStrengthPolicies", Path: "/policies/authenticationStrengthPolicies", MatchBy: "displayName",
		ReadOnly: builtIn("policyType", "builtIn"), Restore: RestorePostCreate, Permission: "Policy.Read.All",
		ReadOnlyProps: []string{"policyType", "requirementsSatisfied", "combinationConfigurations"}},
	{Name: "conditionalAccessPolicies", Path: "/identity/conditionalAccess/policies", MatchBy: "displayName",
		Restore: RestorePostCreate, DependsOn: []string{"namedLocations", "authenticationStrengthPolicies"},
		ReadOnlyProps: []string{"templateId"}, Permission: "Policy.Read.All"},
	{Name: "authenticationMethodsPolicy", Path: "/policies/authenticationMethodsPolicy", Singleton: true,
		Volatile: []string{"authenticationMethodConfigurations", "policyVersion"}, // configurations are their own kind
		Restore:  RestorePatchSingleton, Permission: "Policy.Read.All",
		ReadOnlyProps: []string{"displayName", "description"}},
	{Name: "authenticationMethodConfigurations", Path: "/policies/authenticationMethodsPolicy/authenticationMethodConfigurations",
		Restore: RestorePatchByID, DependsOn: []string{"authenticationMethodsPolicy"}, Typed: true, Permission: "Policy.Read.All"},
	{Name: "authorizationPolicy", Path: "/policies/authorizationPolicy", Singleton: true,
		Restore: RestorePatchSingleton, Permission: "Policy.Read.All"},
	{Name: "securityDefaults", Path: "/policies/identitySecurityDefaultsEnforcementPolicy", Singleton: true,
		Restore: RestorePatchSingleton, Permission: "Policy.Read.All"},
	{Name: "crossTenantAccessPolicy", Path: "/policies/crossTenantAccessPolicy", Singleton: true,
		Restore: RestorePatchSingleton, Permission: "Policy.Read.All"},
	{Name: "crossTenantAccessDefault", Path: "/policies/crossTenantAccessPolicy/default", Singleton: true,
		Ordered: []string{"invitationRedemptionIdentityProviderConfiguration.primaryIdentityProviderPrecedenceOrder"},
		Restore: RestorePatchSingleton, DependsOn: []string{"crossTenantAccessPolicy"}, Permission: "Policy.Read.All",
		ReadOnlyProps: []string{"isServiceDefault"}},
	{Name: "crossTenantPartners", Path: "/policies/crossTenantAccessPolicy/partners", Key: "tenantId",
		Restore: RestorePostCreate, DependsOn: []string{"crossTenantAccessPolicy"}, Permission: "Policy.Read.All",
		ReadOnlyProps: []string{"isInMultiTenantOrganization"}},
	{Name: "adminConsentRequestPolicy", Path: "/policies/adminConsentRequestPolicy", Singleton: true,
		Volatile: []string{"version"}, Restore: RestorePatchSingleton, Permission: "Policy.Read.All"},
	{Name: "roleDefinitions", Path: "/roleManagement/directory/roleDefinitions", MatchBy: "displayName",
		Keep: func(o map[string]any) bool { return o["isBuiltIn"] != true }, Volatile: []string{"version"},
		Restore: RestorePostCreate, Privileged: true, Permission: "RoleManagement.Read.Directory",
		ReadOnlyProps: []string{"templateId", "isBuiltIn", "isPrivileged", "inheritsPermissionsFrom"}},
	{Name: "roleAssignments", Path: "/roleManagement/directory/roleAssignments",
		Restore: RestorePostCreate, DependsOn: []string{"roleDefinitions"}, Privileged: true,
		Permission: "RoleManagement.Read.Directory"},
	{Name: "roleEligibilitySchedules", Path: "/roleManagement/directory/roleEligibilitySchedules",
		Volatile: []string{"createdUsing", "status"},
		Restore:  RestoreNone, DependsOn: []string{"roleDefinitions"}, Privileged: true,
		Permission: "RoleEligibilitySchedule.Read.Directory"},
	{Name: "roleManagementPolicies", Path: "/policies/roleManagementPolicies",
		Query:    url.Values{"$filter": {"scopeId eq '/' and scopeType eq 'DirectoryRole'"}, "$expand": {"rules"}},
		Volatile: []string{"lastModifiedBy"}, Restore: RestorePatchByID, Privileged: true,
		Permission: "RoleManagementPolicy.Read.Directory"},
	{Name: "roleManagementPolicyAssignments", Path: "/policies/roleManagementPolicyAssignments",
		Query:   filter("scopeId eq '/' and scopeType eq 'DirectoryRole'"),
		Restore: RestoreNone, DependsOn: []string{"roleManagementPolicies"}, Privileged: true,
		Permission: "RoleManagementPolicy.Read.Directory"},
	{Name: "deviceCompliancePolicies", Path: "/deviceManagement/deviceCompliancePolicies", MatchBy: "displayName",
		Query:    url.Values{"$expand": {"assignments,scheduledActionsForRule($expand=scheduledActionConfigurations)"}},
		Volatile: []string{"version"}, Restore: RestorePostCreate, Typed: true, Permission: "DeviceManagementConfiguration.Read.All"},
	{Name: "deviceConfigurations", Path: "/deviceManagement/deviceConfigurations", MatchBy: "displayName",
		Query:    url.Values{"$expand": {"assignments"}},
		Volatile: []string{"version"}, Restore: RestorePostCreate, Typed: true, Permission: "DeviceManagementConfiguration.Read.All"},
}

// Lookup returns the registered kind of that name, or nil.
func Lookup(name string) *Kind {
	i := slices.IndexFunc(Registry, func(k *Kind) bool { return k.Name == name })
	if i < 0 {
		return nil
	}
	return Registry[i]
}

// KindNames returns the registered kind names in restore order.
func KindNames() []string {
	out := make([]string, len(Registry))
	for i, k := range Registry {
		out[i] = k.Name
	}
	return out
}
