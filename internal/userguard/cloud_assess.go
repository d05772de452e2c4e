package userguard

// The cloud part of UserGuard. CollectCloud (cloud_collect.go) reads MFA
// registration, sign-in activity, role assignments and PIM eligibility,
// Identity Protection risk, a summary of sign-ins, role-management audits,
// Secure Score, identity alerts and Defender for Identity sensor health
// into a posture inventory (docs/inventory.md); NewCloudEngine compiles the
// "identity" pack (checks I1 to I15) and ScoreCloud scores the results like
// ScoreAD. SyncAlerts (alerts.go) ingests alerts_v2 incrementally into the
// repository. A Responder (respond.go) plans and runs user actions and
// alert updates as audit.Plans; it is the only code here that writes to
// the tenant.

import (
	"context"
	"time"

	"github.com/safeguard365/safeguard365/internal/posture"
)

// CloudPack is the embedded posture pack of the cloud identity checks I1
// to I15.
const CloudPack = "identity"

// NewCloudEngine compiles the identity pack. now stamps the report's
// generatedAt (default time.Now); ages are measured against the
// inventory's collectedAt.
func NewCloudEngine(ctx context.Context, now func() time.Time) (*posture.Engine, error) {
	return posture.New(ctx, posture.Options{Packs: []string{CloudPack}, Now: now})
}

// Scoring categories of the cloud checks; they share ADScore's shape so
// both scores print alike.
const (
	CategoryAuthentication ADCategory = "authentication"   // MFA coverage and strength (I1–I3)
	CategoryPrivAccess     ADCategory = "privilegedAccess" // role holders and changes (I4, I5, I15)
	CategoryThreats        ADCategory = "riskAndThreats"   // risk, detections, alerts (I6–I8, I13)
	CategoryCloudHygiene   ADCategory = "hygiene"          // legacy auth, CA coverage, stale accounts, Secure Score, sensors (I9–I12, I14)
)

// CloudCategories lists the cloud categories in report order.
var CloudCategories = []ADCategory{CategoryAuthentication, CategoryPrivAccess, CategoryThreats, CategoryCloudHygiene}

// cloudPoints weighs the cloud rules like adPoints: an unprotected admin
// or a live compromise weighs most, hygiene least.
var cloudPoints = map[string]rulePoints{
	"I1":  {CategoryAuthentication, 40, 10, 70},
	"I2":  {CategoryAuthentication, 10, 2, 30},
	"I3":  {CategoryAuthentication, 15, 5, 30},
	"I4":  {CategoryPrivAccess, 20, 0, 20},
	"I5":  {CategoryPrivAccess, 10, 5, 30},
	"I6":  {CategoryThreats, 40, 10, 70},
	"I7":  {CategoryThreats, 30, 10, 50},
	"I8":  {CategoryThreats, 25, 5, 40},
	"I9":  {CategoryCloudHygiene, 25, 5, 40},
	"I10": {CategoryCloudHygiene, 10, 2, 20},
	"I11": {CategoryCloudHygiene, 10, 1, 25},
	"I12": {CategoryCloudHygiene, 5, 2, 15},
	"I13": {CategoryThreats, 30, 10, 60},
	"I14": {CategoryCloudHygiene, 15, 5, 30},
	"I15": {CategoryPrivAccess, 10, 3, 20},
}

// ScoreCloud scores identity pack results the way ScoreAD scores AD ones
// (capped categories, global = 60% worst + 40% mean). It is a pure
// function.
func ScoreCloud(results []posture.Result) ADScore {
	return score(results, cloudPoints, CloudCategories)
}
