package posture_test

import (
	"context"
	"fmt"
	"log"
	"time"

	"github.com/safeguard365/safeguard365/internal/posture"
)

// Grade a saved inventory with the built-in pack and an exclusions file,
// then fold the report into the finding history.
func Example() {
	ctx := context.Background()
	eng, err := posture.New(ctx, posture.Options{})
	if err != nil {
		log.Fatal(err)
	}
	inv, err := posture.LoadInventory("testdata/compliant.json")
	if err != nil {
		log.Fatal(err)
	}
	ex, err := posture.LoadExclusions("testdata/exclusions.yaml")
	if err != nil {
		log.Fatal(err)
	}
	rep, err := eng.Evaluate(ctx, inv, ex)
	if err != nil {
		log.Fatal(err)
	}
	rep.GeneratedAt = time.Date(2026, 11, 21, 0, 0, 0, 0, time.UTC)
	s := rep.Summary
	fmt.Printf("%d rules: %d pass, %d na; score %d%%\n", s.Total, s.ByStatus[posture.StatusPass], s.ByStatus[posture.StatusNA], s.Score)
	fmt.Println("fail-on high:", len(rep.FailOn(posture.SeverityHigh)))
	h := posture.MergeHistory(posture.History{}, rep)
	fmt.Println("open findings:", len(h.Findings))
	// Output:
	// 34 rules: 31 pass, 3 na; score 100%
	// fail-on high: 0
	// open findings: 0
}
