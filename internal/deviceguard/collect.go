package deviceguard

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"iter"
	"time"

	"golang.org/x/sync/errgroup"

	"github.com/safeguard365/safeguard365/internal/graph"
	"github.com/safeguard365/safeguard365/internal/posture"
)

// Inventory source keys of the devices section (docs/inventory-devices.md).
const (
	SourceManagedDevices   = "managedDevices"
	SourceDefenderMachines = "defenderMachines"
	SourceDeviceAlerts     = "deviceAlerts"
	SourceSecureScores     = "secureScores"
	SourceControlProfiles  = "secureScoreControlProfiles"
)

// graphSource is what Collect reads through Graph; *graph.Client
// implements it.
type graphSource interface {
	ManagedDevices(ctx context.Context) iter.Seq2[graph.ManagedDevice, error]
	WindowsProtectionState(ctx context.Context, id string) (json.RawMessage, error)
	DeviceCompliancePolicyStates(ctx context.Context, id string) iter.Seq2[json.RawMessage, error]
	DeviceDetectedApps(ctx context.Context, id string) iter.Seq2[json.RawMessage, error]
	SecurityAlerts(ctx context.Context, filter string) iter.Seq2[json.RawMessage, error]
	SecureScores(ctx context.Context, top int) iter.Seq2[json.RawMessage, error]
	SecureScoreControlProfiles(ctx context.Context) iter.Seq2[json.RawMessage, error]
}

// mdeSource is what Collect reads from the Defender for Endpoint API; a
// *graph.Client from Client.MDE implements it.
type mdeSource interface {
	Machines(ctx context.Context, filter string) iter.Seq2[graph.Machine, error]
}

var (
	_ graphSource = (*graph.Client)(nil)
	_ mdeSource   = (*graph.Client)(nil)
)

// CollectOptions configure Collect.
type CollectOptions struct {
	TenantID, TenantName string
	// MDE reads Defender for Endpoint machines; nil leaves the source
	// notCollected (rules that need it report error).
	MDE mdeSource
	// Workers is the number of devices whose details are read at once.
	// Default 4: each device costs three requests, and Intune's limits
	// are per tenant.
	Workers int
	// Now stamps the inventory's collectedAt, which age checks measure
	// from. Default time.Now.
	Now func() time.Time
}

// Collect reads the devices section into a new inventory. A source that
// fails is recorded with its error (and the permission it needs, when the
// failure is a 403); the others are still collected. Collect itself fails
// only when ctx ends.
func Collect(ctx context.Context, g graphSource, opts CollectOptions) (*posture.Inventory, error) {
	if opts.Workers <= 0 {
		opts.Workers = 4
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	inv := &posture.Inventory{SchemaVersion: posture.InventorySchemaVersion, CollectedAt: opts.Now().UTC(),
		Collector: "sg365 deviceguard", Tenant: posture.Tenant{ID: opts.TenantID, DisplayName: opts.TenantName},
		Sources: map[string]posture.SourceStatus{}, Data: map[string]json.RawMessage{}}
	record := func(key, endpoint string, v any, err error) {
		if err != nil {
			inv.SetSourceError(key, explain(err, endpoint))
		} else if serr := inv.SetSource(key, v); serr != nil {
			inv.SetSourceError(key, serr)
		}
		st := inv.Sources[key]
		st.Endpoint = endpoint
		inv.Sources[key] = st
	}

	devices, err := collectDevices(ctx, g, opts.Workers)
	record(SourceManagedDevices, "GET /deviceManagement/managedDevices (+ windowsProtectionState, deviceCompliancePolicyStates, beta detectedApps)", devices, err)
	if opts.MDE != nil {
		var machines []json.RawMessage
		err := collect(opts.MDE.Machines(ctx, ""), func(m graph.Machine) { machines = append(machines, m.Raw) })
		record(SourceDefenderMachines, "GET /api/machines", orEmpty(machines), err)
	} else {
		inv.Sources[SourceDefenderMachines] = posture.SourceStatus{Status: posture.SourceNotCollected, Endpoint: "GET /api/machines"}
	}
	alerts, err := collectRaw(g.SecurityAlerts(ctx, "serviceSource eq 'microsoftDefenderForEndpoint'"))
	record(SourceDeviceAlerts, "GET /security/alerts_v2?$filter=serviceSource eq 'microsoftDefenderForEndpoint'", alerts, err)
	scores, err := collectRaw(g.SecureScores(ctx, 1))
	record(SourceSecureScores, "GET /security/secureScores?$top=1", scores, err)
	profiles, err := collectRaw(g.SecureScoreControlProfiles(ctx))
	record(SourceControlProfiles, "GET /security/secureScoreControlProfiles", profiles, err)
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	return inv, nil
}

// collectDevices reads the managed devices and, per device, its protection
// state (Windows), compliance policy states and detected apps, embedded
// under their Graph navigation property names.
func collectDevices(ctx context.Context, g graphSource, workers int) ([]map[string]any, error) {
	var devices []graph.ManagedDevice
	if err := collect(g.ManagedDevices(ctx), func(d graph.ManagedDevice) { devices = append(devices, d) }); err != nil {
		return nil, err
	}
	out := make([]map[string]any, len(devices))
	eg, ectx := errgroup.WithContext(ctx)
	eg.SetLimit(workers)
	for i, d := range devices {
		eg.Go(func() error {
			m := map[string]any{}
			if err := json.Unmarshal(d.Raw, &m); err != nil {
				return fmt.Errorf("device %s: %w", d.ID, err)
			}
			m["windowsProtectionState"] = nil
			if d.OperatingSystem == "Windows" {
				ps, err := g.WindowsProtectionState(ectx, d.ID)
				switch {
				case errors.Is(err, graph.ErrNotFound): // not reported yet
				case err != nil:
					return fmt.Errorf("device %s: %w", d.DeviceName, err)
				default:
					m["windowsProtectionState"] = ps
				}
			}
			states, err := collectRaw(g.DeviceCompliancePolicyStates(ectx, d.ID))
			if err != nil {
				return fmt.Errorf("device %s: %w", d.DeviceName, err)
			}
			m["deviceCompliancePolicyStates"] = states
			apps, err := collectRaw(g.DeviceDetectedApps(ectx, d.ID))
			if err != nil {
				return fmt.Errorf("device %s: %w", d.DeviceName, err)
			}
			m["detectedApps"] = apps
			out[i] = m
			return nil
		})
	}
	if err := eg.Wait(); err != nil {
		return nil, err
	}
	return out, nil
}

func collect[T any](seq iter.Seq2[T, error], fn func(T)) error {
	for v, err := range seq {
		if err != nil {
			return err
		}
		fn(v)
	}
	return nil
}

func collectRaw(seq iter.Seq2[json.RawMessage, error]) ([]json.RawMessage, error) {
	var out []json.RawMessage
	err := collect(seq, func(r json.RawMessage) { out = append(out, r) })
	return orEmpty(out), err
}

func orEmpty[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}
