package deviceguard

import (
	"context"
	"time"

	"github.com/safeguard365/safeguard365/internal/posture"
)

// Pack is the posture pack of the device checks D1 to D17.
const Pack = "device"

// NewEngine compiles the device pack. now stamps the report; nil means
// time.Now.
func NewEngine(ctx context.Context, now func() time.Time) (*posture.Engine, error) {
	return posture.New(ctx, posture.Options{Packs: []string{Pack}, Now: now})
}

// Scan grades a devices inventory with the device pack.
func Scan(ctx context.Context, eng *posture.Engine, inv *posture.Inventory) (*posture.Report, error) {
	return eng.Evaluate(ctx, inv, nil)
}
