package deviceguard

import (
	"time"

	"github.com/safeguard365/safeguard365/internal/audit"
)

// The audit log and the plan types are shared with UserGuard and live in
// internal/audit; these names keep DeviceGuard's API.

// AuditWorkload is the repository workload of the audit log.
const AuditWorkload = audit.Workload

type (
	// AuditEntry is one executed or attempted response action.
	AuditEntry = audit.Entry
	// Target is the device an action applies to.
	Target = audit.Target
	// Plan is exactly the call an action makes.
	Plan = audit.Plan
	// Outcome is what an executed action returned.
	Outcome = audit.Outcome
)

// NewAuditEntry fills an entry for plan's outcome. err is the action's
// error, if any.
func NewAuditEntry(now time.Time, actor, tenantID string, plan *Plan, out Outcome, err error) AuditEntry {
	return audit.NewEntry(now, actor, tenantID, plan, out, err)
}

// Actor names who runs this process: "user@host".
func Actor() string { return audit.Actor() }

// AppendAudit writes e as a new snapshot of the tenant's audit log.
var AppendAudit = audit.Append

// ReadAudit returns the audit entries of tenantID ("" for every tenant),
// oldest first.
var ReadAudit = audit.Read
