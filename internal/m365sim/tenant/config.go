package tenant

import (
	"encoding/json"
	"slices"
	"strings"
)

// Collections of Config.Sets: tenant-configuration resources that Graph
// serves as collections. Each object is its Graph JSON with an "id".
// Navigation properties that Graph returns only on $expand (a compliance
// policy's assignments, a role management policy's rules) are kept inside
// the object under their Graph names; the handlers decide what to show.
const (
	SetNamedLocations          = "namedLocations"
	SetConditionalAccess       = "conditionalAccessPolicies"
	SetAuthStrengths           = "authenticationStrengthPolicies"
	SetAuthMethodConfigs       = "authenticationMethodConfigurations"
	SetCrossTenantPartners     = "crossTenantPartners"
	SetRoleDefinitions         = "roleDefinitions"
	SetRoleAssignments         = "roleAssignments"
	SetRoleEligibilities       = "roleEligibilitySchedules"
	SetRoleEligibilityInstance = "roleEligibilityScheduleInstances"
	SetRoleAssignmentSchedules = "roleAssignmentSchedules"
	SetRoleManagementPolicies  = "roleManagementPolicies"
	SetRoleManagementPolicyAss = "roleManagementPolicyAssignments"
	SetCompliancePolicies      = "deviceCompliancePolicies"
	SetDeviceConfigurations    = "deviceConfigurations"
)

// Singletons of Config.Singletons: policies Graph serves as one object.
const (
	SingleAuthMethodsPolicy  = "authenticationMethodsPolicy"
	SingleAuthorization      = "authorizationPolicy"
	SingleSecurityDefaults   = "identitySecurityDefaultsEnforcementPolicy"
	SingleCrossTenant        = "crossTenantAccessPolicy"
	SingleCrossTenantDefault = "crossTenantAccessPolicyDefault"
	SingleAdminConsent       = "adminConsentRequestPolicy"
)

// Config holds the tenant's configuration: Entra ID policies, directory
// roles and PIM, and Intune policies, as Graph JSON. The zero value is an
// empty configuration. Like the rest of the tenant, it is read and changed
// under the tenant's lock.
type Config struct {
	Sets       map[string][]Props `json:",omitempty"` // by collection, in creation order
	Singletons map[string]Props   `json:",omitempty"` // by singleton name
}

// NewConfig returns an empty configuration.
func NewConfig() *Config {
	return &Config{Sets: map[string][]Props{}, Singletons: map[string]Props{}}
}

// List returns the objects of a collection in creation order. The slice
// and the objects belong to the configuration. Hold a lock.
func (c *Config) List(set string) []Props { return c.Sets[set] }

// Find returns the object of set with the given id (case-insensitive), or
// nil. Hold a lock.
func (c *Config) Find(set, id string) Props {
	if i := c.index(set, id); i >= 0 {
		return c.Sets[set][i]
	}
	return nil
}

func (c *Config) index(set, id string) int {
	return slices.IndexFunc(c.Sets[set], func(p Props) bool { return strings.EqualFold(KeyOf(p), id) })
}

// KeyOf returns an object's key: its "id", or for objects Graph keys
// otherwise (cross-tenant partner configurations) their "tenantId".
func KeyOf(p Props) string {
	if s, ok := p["id"].(string); ok {
		return s
	}
	s, _ := p["tenantId"].(string)
	return s
}

// Add appends p, which carries its key (see KeyOf), to set. Hold the write lock.
func (c *Config) Add(set string, p Props) {
	if c.Sets == nil {
		c.Sets = map[string][]Props{}
	}
	c.Sets[set] = append(c.Sets[set], p)
}

// Remove deletes the object with the given id from set and reports
// whether it was there. Hold the write lock.
func (c *Config) Remove(set, id string) bool {
	i := c.index(set, id)
	if i < 0 {
		return false
	}
	c.Sets[set] = slices.Delete(c.Sets[set], i, i+1)
	return true
}

// Singleton returns a singleton policy, or nil. Hold a lock.
func (c *Config) Singleton(name string) Props { return c.Singletons[name] }

// SetSingleton replaces a singleton policy. Hold the write lock.
func (c *Config) SetSingleton(name string, p Props) {
	if c.Singletons == nil {
		c.Singletons = map[string]Props{}
	}
	c.Singletons[name] = p
}

// normalize makes every value one encoding/json produces (float64 for
// numbers, []any for arrays), so that a generated configuration, a loaded
// one and a clone are indistinguishable.
func (c *Config) normalize() error {
	b, err := json.Marshal(c)
	if err != nil {
		return err
	}
	var out Config
	if err := json.Unmarshal(b, &out); err != nil {
		return err
	}
	*c = out
	if c.Sets == nil {
		c.Sets = map[string][]Props{}
	}
	if c.Singletons == nil {
		c.Singletons = map[string]Props{}
	}
	return nil
}

// DeepCopy returns a copy of p that shares nothing with it.
func DeepCopy(p Props) Props {
	if p == nil {
		return nil
	}
	return deepCopy(p).(Props)
}

func deepCopy(v any) any {
	switch x := v.(type) {
	case map[string]any:
		m := make(map[string]any, len(x))
		for k, e := range x {
			m[k] = deepCopy(e)
		}
		return m
	case []any:
		s := make([]any, len(x))
		for i, e := range x {
			s[i] = deepCopy(e)
		}
		return s
	default:
		return v
	}
}
