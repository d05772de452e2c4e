package tenant

import "strings"

// Collections of Security.Sets: identity-protection, audit, Microsoft
// Defender and Intune device data. Each object is its Graph (or Defender for
// Endpoint API) JSON with an "id". Navigation properties Graph serves on
// their own paths (a managed device's windowsProtectionState,
// deviceCompliancePolicyStates and detectedApps; a risky user's history)
// are kept inside the object under their Graph names; the handlers decide
// what to show.
const (
	SetRegistrationDetails = "userRegistrationDetails"
	SetRiskyUsers          = "riskyUsers"
	SetRiskDetections      = "riskDetections"
	SetRiskyServicePrinc   = "riskyServicePrincipals"
	SetSignIns             = "signIns"
	SetDirectoryAudits     = "directoryAudits"
	SetAlerts              = "alerts_v2"
	SetIncidents           = "incidents"
	SetHealthIssues        = "healthIssues"
	SetSensors             = "sensors"
	SetSecureScores        = "secureScores"
	SetControlProfiles     = "secureScoreControlProfiles"
	SetManagedDevices      = "managedDevices"
	SetMachines            = "machines"       // Defender for Endpoint API
	SetMachineActions      = "machineActions" // Defender for Endpoint API
	SetMDEAlerts           = "mdeAlerts"      // Defender for Endpoint API /api/alerts
)

// Security holds the tenant's security signals and device inventory. The
// zero value is empty. Like the rest of the tenant, it is read and changed
// under the tenant's lock.
type Security struct {
	Sets map[string][]Props `json:",omitempty"` // by collection, in creation order
	// IDs counts ids handed out after generation (machine actions), so they
	// never repeat.
	IDs int `json:",omitempty"`
}

// NewSecurity returns an empty store.
func NewSecurity() *Security { return &Security{Sets: map[string][]Props{}} }

// List returns the objects of a collection in creation order. The slice
// and the objects belong to the store. Hold a lock.
func (s *Security) List(set string) []Props { return s.Sets[set] }

// Find returns the object of set with the given id (case-insensitive), or
// nil. Hold a lock.
func (s *Security) Find(set, id string) Props {
	for _, p := range s.Sets[set] {
		if pid, _ := p["id"].(string); strings.EqualFold(pid, id) {
			return p
		}
	}
	return nil
}

// Add appends p to set. Hold the write lock.
func (s *Security) Add(set string, p Props) {
	if s.Sets == nil {
		s.Sets = map[string][]Props{}
	}
	s.Sets[set] = append(s.Sets[set], p)
}
