package main

import (
	"context"
	"fmt"
	"time"

	"github.com/safeguard365/safeguard365/internal/posture"
	"github.com/safeguard365/safeguard365/internal/tenantguard"
)

// tenantGuard is the demo's TenantGuard segment: a configuration
// snapshot, the SCuBA assessment of the live tenant, a drift made behind
// Graph's back, found by the next snapshot, and rolled back.
func (s *demoStory) tenantGuard(ctx context.Context) error {
	s.say("\nTenantGuard: snapshot of the tenant's configuration…\n")
	before, err := s.configSnapshot(ctx, "config snapshot")
	if err != nil {
		return err
	}

	start := time.Now()
	req0 := s.c.Stats().Requests
	inv, err := tenantguard.CollectInventory(ctx, s.c, tenantguard.InventoryOptions{Options: tenantguard.Options{TenantID: s.l.TenantID}, Collector: "sg365 demo"})
	if err != nil {
		return fmt.Errorf("collect the tenant's inventory: %w", err)
	}
	eng, err := posture.New(ctx, posture.Options{})
	if err != nil {
		return err
	}
	rep, err := eng.Evaluate(ctx, inv, nil)
	if err != nil {
		return err
	}
	sum := rep.Summary
	s.steps = append(s.steps, demoStep{Step: "SCuBA assessment", Items: int64(sum.Total), Requests: s.c.Stats().Requests - req0,
		Seconds: time.Since(start).Seconds(), Result: fmt.Sprintf("score %d%%: %d pass, %d fail, %d warning, %d n/a, %d error",
			sum.Score, sum.ByStatus[posture.StatusPass], sum.ByStatus[posture.StatusFail], sum.ByStatus[posture.StatusWarning],
			sum.ByStatus[posture.StatusNA], sum.ByStatus[posture.StatusError])})
	s.say("The SCuBA Entra ID baseline: score %d%%, %d rules failed (sg365 assess lists them with evidence).\n",
		sum.Score, sum.ByStatus[posture.StatusFail])

	var drift struct{ Changes []any }
	if err := s.l.Control("POST", "config-drift", map[string]any{}, &drift); err != nil {
		return fmt.Errorf("simulate configuration drift: %w", err)
	}
	s.say("\nSomeone changed the configuration outside any change process (%d changes). Next snapshot and drift:\n", len(drift.Changes))
	after, err := s.configSnapshot(ctx, "config snapshot (drifted)")
	if err != nil {
		return err
	}
	d := tenantguard.Diff(before, after)
	for _, k := range d.Kinds {
		for _, o := range k.Objects {
			s.say("  %s: %s %q\n", k.Kind, o.Op, o.DisplayName)
		}
	}
	s.steps = append(s.steps, demoStep{Step: "config drift", Items: int64(d.Changed()),
		Result: fmt.Sprintf("%d objects differ from the snapshot before, %d kinds unknown", d.Changed(), len(d.Unknown()))})

	s.say("\nRolling the drift back (sg365 config restore %.12s --prune --apply)…\n", before.ID)
	start, req0 = time.Now(), s.c.Stats().Requests
	plan, err := tenantguard.Plan(ctx, s.c, before, nil, tenantguard.RestoreOptions{Prune: true})
	if err != nil {
		return fmt.Errorf("plan the configuration restore: %w", err)
	}
	res, err := tenantguard.Apply(ctx, s.c, plan)
	if err != nil {
		return fmt.Errorf("apply the configuration restore: %w", err)
	}
	seconds, requests := time.Since(start).Seconds(), s.c.Stats().Requests-req0
	final, err := s.configSnapshot(ctx, "")
	if err != nil {
		return err
	}
	left := tenantguard.Diff(before, final)
	s.steps = append(s.steps, demoStep{Step: "config restore", Items: int64(res.Applied), Requests: requests, Seconds: seconds,
		Result: fmt.Sprintf("%d changes applied, %d failed; drift afterwards: %d objects", res.Applied, res.Failed, left.Changed())})
	return nil
}

// configSnapshot stores a configuration snapshot and, when step is set,
// adds it to the table.
func (s *demoStory) configSnapshot(ctx context.Context, step string) (*tenantguard.State, error) {
	start, req0 := time.Now(), s.c.Stats().Requests
	st, err := tenantguard.Snapshot(ctx, s.c, s.r, tenantguard.Options{TenantID: s.l.TenantID})
	if err != nil {
		return nil, fmt.Errorf("configuration snapshot: %w", err)
	}
	if step != "" {
		var objects, failed int
		for _, objs := range st.Objects {
			objects += len(objs)
		}
		for _, k := range st.Kinds {
			if !k.Known() {
				failed++
			}
		}
		s.steps = append(s.steps, demoStep{Step: step, Items: int64(objects), Requests: s.c.Stats().Requests - req0,
			Seconds: time.Since(start).Seconds(), Result: fmt.Sprintf("%d kinds of configuration, %d could not be read", len(st.Kinds), failed)})
	}
	return st, nil
}
