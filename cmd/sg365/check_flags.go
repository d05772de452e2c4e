package main

import (
	"fmt"
	"time"

	"github.com/safeguard365/safeguard365/internal/posture"
)

// checkFailOn validates a --fail-on severity ("" is off): one that a
// finding can have, so not info.
func checkFailOn(v string) error {
	if v == "" {
		return nil
	}
	if sev, err := posture.ParseSeverity(v); err != nil || sev == posture.SeverityInfo {
		return fmt.Errorf("--fail-on %q: want critical, high, medium or low", v)
	}
	return nil
}

// checkAsOf validates an --as-of time ("" is now).
func checkAsOf(v string) error {
	if v == "" {
		return nil
	}
	if _, err := time.Parse(time.RFC3339, v); err != nil {
		return fmt.Errorf("--as-of %q: want an RFC 3339 time such as 2025-06-02T09:00:00Z", v)
	}
	return nil
}
