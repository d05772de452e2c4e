package userguard

import (
	"context"
	"time"

	"github.com/safeguard365/safeguard365/internal/posture"
)

// ADPack is the embedded posture pack of the Active Directory rules.
const ADPack = "ad"

// NewADEngine compiles the Active Directory pack. now stamps the report's
// generatedAt (default time.Now); rule ages are measured against the
// inventory's collectedAt, not against now.
func NewADEngine(ctx context.Context, now func() time.Time) (*posture.Engine, error) {
	return posture.New(ctx, posture.Options{Packs: []string{ADPack}, Now: now})
}
