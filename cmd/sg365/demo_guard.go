package main

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/safeguard365/safeguard365/internal/audit"
	"github.com/safeguard365/safeguard365/internal/deviceguard"
	"github.com/safeguard365/safeguard365/internal/graph"
	"github.com/safeguard365/safeguard365/internal/posture"
	"github.com/safeguard365/safeguard365/internal/userguard"
)

// identityAndDevices is the demo's UserGuard and DeviceGuard segment: the
// identity and device posture of the tenant, Microsoft's alerts stored in
// the repository (twice, to show the second sync downloads nothing new),
// and the response to the two open alerts: the Defender for Identity
// alert's user loses their sessions and is confirmed compromised, the
// Defender for Endpoint alert's device is isolated, and both alerts are
// resolved. Every action goes through the same audited path as "sg365
// respond", and its effect is read back through Graph.
func (s *demoStory) identityAndDevices(ctx context.Context) error {
	mde, err := s.c.MDE(s.l.MDEURL)
	if err != nil {
		return fmt.Errorf("connect to the Defender for Endpoint API: %w", err)
	}
	if err := s.identityPosture(ctx); err != nil {
		return err
	}
	if err := s.devicePosture(ctx, mde); err != nil {
		return err
	}
	alerts, err := s.syncAlerts(ctx)
	if err != nil {
		return err
	}
	return s.respondToAlerts(ctx, mde, alerts)
}

func (s *demoStory) identityPosture(ctx context.Context) error {
	s.say("\nUserGuard: identity posture (MFA registration, privileged roles, risky users, sign-ins, Defender for Identity)…\n")
	start, req0 := time.Now(), s.c.Stats().Requests
	inv, err := userguard.CollectCloud(ctx, s.c, userguard.CloudOptions{TenantID: s.l.TenantID})
	if err != nil {
		return fmt.Errorf("collect identity signals: %w", err)
	}
	eng, err := userguard.NewCloudEngine(ctx, nil)
	if err != nil {
		return err
	}
	rep, err := eng.Evaluate(ctx, inv, nil)
	if err != nil {
		return fmt.Errorf("identity scan: %w", err)
	}
	score := userguard.ScoreCloud(rep.Results)
	s.sayFailures(rep)
	sum := rep.Summary
	s.steps = append(s.steps, demoStep{Step: "identity scan", Items: int64(sum.Total), Requests: s.c.Stats().Requests - req0,
		Seconds: time.Since(start).Seconds(), Result: fmt.Sprintf("risk score %d (%s): %d of %d checks fail",
			score.Global, score.Rating, sum.ByStatus[posture.StatusFail], sum.Total)})
	return nil
}

func (s *demoStory) devicePosture(ctx context.Context, mde *graph.Client) error {
	s.say("\nDeviceGuard: device posture (Intune compliance, encryption, Defender protection, Defender for Endpoint)…\n")
	start, req0 := time.Now(), s.c.Stats().Requests+mde.Stats().Requests
	inv, err := deviceguard.Collect(ctx, s.c, deviceguard.CollectOptions{TenantID: s.l.TenantID, MDE: mde})
	if err != nil {
		return fmt.Errorf("collect devices: %w", err)
	}
	eng, err := deviceguard.NewEngine(ctx, nil)
	if err != nil {
		return err
	}
	rep, err := deviceguard.Scan(ctx, eng, inv)
	if err != nil {
		return fmt.Errorf("device scan: %w", err)
	}
	s.sayFailures(rep)
	devices := map[string]bool{}
	for _, r := range rep.Results {
		if r.Status == posture.StatusFail {
			for _, e := range r.Evidence {
				devices[e.ID] = true
			}
		}
	}
	sum := rep.Summary
	s.steps = append(s.steps, demoStep{Step: "device scan", Items: int64(sum.Total), Requests: s.c.Stats().Requests + mde.Stats().Requests - req0,
		Seconds: time.Since(start).Seconds(), Result: fmt.Sprintf("%d of %d checks fail, on %d objects",
			sum.ByStatus[posture.StatusFail], sum.Total, len(devices))})
	return nil
}

// sayFailures lists the failing rules, worst first, with what they found.
func (s *demoStory) sayFailures(rep *posture.Report) {
	var fails []posture.Result
	for _, r := range rep.Results {
		if r.Status == posture.StatusFail {
			fails = append(fails, r)
		}
	}
	slices.SortStableFunc(fails, func(a, b posture.Result) int { return b.Rule.Severity.Rank() - a.Rule.Severity.Rank() })
	for _, r := range fails {
		names := make([]string, 0, len(r.Evidence))
		for _, e := range r.Evidence {
			names = append(names, cmp.Or(e.DisplayName, e.ID))
		}
		detail := strings.Join(names, ", ")
		if len(names) > 3 {
			detail = strings.Join(names[:3], ", ") + fmt.Sprintf(" and %d more", len(names)-3)
		}
		s.say("  %-4s %-8s %s: %s\n", r.Rule.ID, r.Rule.Severity, r.Rule.Title, detail)
	}
}

// syncAlerts stores the tenant's alerts in the repository, then syncs
// again: the second sync asks only for alerts updated since and stores
// nothing.
func (s *demoStory) syncAlerts(ctx context.Context) (*userguard.AlertStore, error) {
	start, req0 := time.Now(), s.c.Stats().Requests
	st, first, err := userguard.SyncAlerts(ctx, s.c, s.r, s.l.TenantID, time.Now())
	if err != nil {
		return nil, fmt.Errorf("sync alerts: %w", err)
	}
	_, second, err := userguard.SyncAlerts(ctx, s.c, s.r, s.l.TenantID, time.Now())
	if err != nil {
		return nil, fmt.Errorf("sync alerts again: %w", err)
	}
	s.say("\nAlerts from Defender for Identity, Defender for Endpoint and Entra ID Protection, stored in the repository:\n")
	for _, a := range st.Sorted() {
		s.say("  %-8s %-10s %-30s %s\n", a.Severity, a.Status, a.ServiceSource, a.Title)
	}
	s.steps = append(s.steps, demoStep{Step: "alerts sync (twice)", Items: int64(first.Downloaded + second.Downloaded),
		Requests: s.c.Stats().Requests - req0, Seconds: time.Since(start).Seconds(),
		Result: fmt.Sprintf("first: %d new; second (%s): %d new, %d updated, %d unchanged, stored again: %v",
			first.New, second.Filter, second.New, second.Updated, second.Unchanged, second.Committed)})
	return st, nil
}

// respondToAlerts answers each open alert that names a user or a device.
func (s *demoStory) respondToAlerts(ctx context.Context, mde *graph.Client, st *userguard.AlertStore) error {
	users := &userguard.Responder{Graph: s.c}
	devices := &deviceguard.Responder{Graph: s.c, MDE: mde}
	start, req0 := time.Now(), s.c.Stats().Requests+mde.Stats().Requests
	var done, failed []string
	sessionsBefore := map[string]time.Time{}
	for _, a := range st.Sorted() {
		if a.Status == "resolved" {
			continue
		}
		ents, err := a.Entities()
		if err != nil {
			return err
		}
		s.say("\nResponding to %q (%s):\n", a.Title, a.ServiceSource)
		var plans []*audit.Plan
		var exec []func() (audit.Outcome, error)
		if a.ServiceSource == "microsoftDefenderForIdentity" || a.ServiceSource == "azureAdIdentityProtection" {
			for _, u := range ents.Users {
				if u.AzureADUserID == "" {
					continue
				}
				if sessionsBefore[u.AzureADUserID], err = s.sessionsValidFrom(ctx, u.AzureADUserID); err != nil {
					return err
				}
				for _, action := range []string{userguard.ActionRevokeSessions, userguard.ActionConfirmCompromised} {
					p, err := users.PlanUser(ctx, action, u.AzureADUserID)
					if err != nil {
						return err
					}
					plans = append(plans, p)
					exec = append(exec, func() (audit.Outcome, error) { out, _, err := users.Execute(ctx, p); return out, err })
				}
			}
			// The attacker's tools hold the on-premises password too: Defender
			// for Identity's sensor makes AD demand a new one at next logon.
			for _, u := range ents.Users {
				if u.SID == "" {
					continue
				}
				p, err := users.PlanOnPrem(ctx, userguard.ActionForcePasswordReset, u.SID)
				if err != nil {
					return err
				}
				plans = append(plans, p)
				exec = append(exec, func() (audit.Outcome, error) { out, _, err := users.Execute(ctx, p); return out, err })
			}
		}
		for _, d := range ents.Devices {
			if d.MDEDeviceID == "" {
				continue
			}
			host, _, _ := strings.Cut(d.DNSName, ".")
			p, err := devices.Plan(ctx, deviceguard.ActionIsolate, cmp.Or(host, d.MDEDeviceID),
				deviceguard.Params{Comment: "sg365 demo: isolate while alert " + a.ID + " is investigated"})
			if err != nil {
				return err
			}
			plans = append(plans, p)
			exec = append(exec, func() (audit.Outcome, error) { return devices.Execute(ctx, p) })
		}
		if len(plans) == 0 {
			continue
		}
		determination := "compromisedAccount"
		if len(ents.Devices) > 0 {
			determination = "malware"
		}
		p, err := users.PlanAlertUpdate(ctx, a.ID, userguard.AlertUpdate{Status: "resolved", Classification: "truePositive",
			Determination: determination, AssignedTo: "sg365 demo"})
		if err != nil {
			return err
		}
		plans = append(plans, p)
		var updated json.RawMessage
		exec = append(exec, func() (audit.Outcome, error) {
			out, raw, err := users.Execute(ctx, p)
			if raw != nil {
				updated = raw
			}
			return out, err
		})
		var taken []string
		for _, p := range plans[:len(plans)-1] {
			taken = append(taken, p.Action+" "+p.Target.Name())
		}
		c, err := users.PlanAlertComment(ctx, a.ID, "sg365 demo: "+strings.Join(taken, "; "))
		if err != nil {
			return err
		}
		plans = append(plans, c)
		exec = append(exec, func() (audit.Outcome, error) {
			out, raw, err := users.Execute(ctx, c)
			if raw != nil {
				updated = raw
			}
			return out, err
		})
		for i, p := range plans {
			entry := s.audited(ctx, p, exec[i])
			s.say("  %-20s %-45s %s %s\n", p.Action, p.Target.Name(), entry.Result, entry.Detail+entry.Error)
			if entry.Result == "succeeded" {
				done = append(done, p.Action)
			} else {
				failed = append(failed, p.Action)
			}
		}
		// Refresh the stored alert, as "sg365 alerts update" does.
		if updated != nil {
			if err := userguard.PutAlert(ctx, s.r, s.l.TenantID, updated, time.Now()); err != nil {
				return err
			}
		}
	}
	effects, err := s.checkResponses(ctx, mde, st, sessionsBefore)
	if err != nil {
		return err
	}
	entries, err := audit.Read(ctx, s.r, s.l.TenantID)
	if err != nil {
		return fmt.Errorf("read the audit log: %w", err)
	}
	s.say("\nThe audit log in the repository holds %d entries (sg365 audit).\n", len(entries))
	s.steps = append(s.steps, demoStep{Step: "respond to alerts", Items: int64(len(done) + len(failed)),
		Requests: s.c.Stats().Requests + mde.Stats().Requests - req0, Seconds: time.Since(start).Seconds(),
		Result: fmt.Sprintf("%d actions succeeded, %d failed; %s; %d audit entries",
			len(done), len(failed), effects, len(entries))})
	return nil
}

// audited runs one planned action and appends its outcome to the audit
// log, as runAudited does for "sg365 respond".
func (s *demoStory) audited(ctx context.Context, p *audit.Plan, exec func() (audit.Outcome, error)) audit.Entry {
	out, err := exec()
	entry := audit.NewEntry(time.Now(), "sg365 demo", s.l.TenantID, p, out, err)
	if aerr := audit.Append(context.WithoutCancel(ctx), s.r, entry); aerr != nil {
		entry.Result, entry.Error = "failed", errors.Join(err, aerr).Error()
	}
	return entry
}

// checkResponses reads the effect of the actions back: sessions valid only
// from later than before the response (before, by user id), risk
// confirmed, machines isolated, alerts resolved in Graph.
func (s *demoStory) checkResponses(ctx context.Context, mde *graph.Client, st *userguard.AlertStore, before map[string]time.Time) (string, error) {
	var revoked, confirmed, isolated, resolved int
	for _, a := range st.Sorted() {
		if a.Status == "resolved" {
			continue
		}
		raw, err := s.c.SecurityAlert(ctx, a.ID)
		if err != nil {
			return "", fmt.Errorf("read alert %s back: %w", a.ID, err)
		}
		if now, err := userguard.ParseAlert(raw); err == nil && now.Status == "resolved" {
			resolved++
		}
		ents, err := a.Entities()
		if err != nil {
			return "", err
		}
		for _, u := range ents.Users {
			if u.AzureADUserID == "" {
				continue
			}
			after, err := s.sessionsValidFrom(ctx, u.AzureADUserID)
			if err != nil {
				return "", err
			}
			if b, ok := before[u.AzureADUserID]; ok && after.After(b) {
				revoked++
			}
			for raw, err := range s.c.RiskyUsers(ctx, "id eq '"+u.AzureADUserID+"'") {
				if err != nil {
					return "", fmt.Errorf("read risky user %s back: %w", u.Name(), err)
				}
				var ru struct{ RiskState string }
				if json.Unmarshal(raw, &ru) == nil && ru.RiskState == "confirmedCompromised" {
					confirmed++
				}
			}
		}
		for _, d := range ents.Devices {
			// MDE keeps isolation as machine actions: the machine is
			// isolated when its latest isolate/unisolate action is an
			// isolate that did not fail.
			var last graph.MachineAction
			for a, err := range mde.MachineActions(ctx, "machineId eq '"+d.MDEDeviceID+"'") {
				if err != nil {
					return "", fmt.Errorf("read the machine actions of %s back: %w", d.DNSName, err)
				}
				if (a.Type == "Isolate" || a.Type == "Unisolate") && a.Status != "Failed" && a.Status != "Cancelled" && a.Created >= last.Created {
					last = a
				}
			}
			if last.Type == "Isolate" {
				isolated++
			}
		}
	}
	return fmt.Sprintf("read back through Graph and MDE: sessions revoked for %d user(s), %d confirmed compromised, %d machine(s) isolated, %d alert(s) resolved",
		revoked, confirmed, isolated, resolved), nil
}

// sessionsValidFrom reads a user's signInSessionsValidFromDateTime, which
// revokeSignInSessions moves to the time of the call.
func (s *demoStory) sessionsValidFrom(ctx context.Context, userID string) (time.Time, error) {
	u, err := s.c.User(ctx, userID, &graph.GetOptions{Select: []string{"id", "signInSessionsValidFromDateTime"}})
	if err != nil {
		return time.Time{}, fmt.Errorf("read user %s: %w", userID, err)
	}
	var v struct{ SignInSessionsValidFromDateTime time.Time }
	if err := json.Unmarshal(u.Raw, &v); err != nil {
		return time.Time{}, fmt.Errorf("read user %s: %w", userID, err)
	}
	return v.SignInSessionsValidFromDateTime, nil
}
