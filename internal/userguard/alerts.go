package userguard

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"iter"
	"slices"
	"strings"
	"time"

	"github.com/safeguard365/safeguard365/internal/graph"
	"github.com/safeguard365/safeguard365/internal/repo"
)

// The alert store keeps the tenant's Graph security alerts (alerts_v2:
// Defender for Identity, Defender for Endpoint, Entra ID Protection, …) in
// the repository, so they outlive Graph's retention and can be listed
// offline. It is one snapshot source per tenant (workload "alerts",
// resource "alerts_v2") holding alerts.json: every alert seen, keyed by id,
// and the watermark, the greatest lastUpdateDateTime seen.
//
// A sync asks Graph only for alerts with lastUpdateDateTime ge the
// watermark (a $filter alerts_v2 documents), merges them by id and commits
// a new snapshot only when an alert is new or its lastUpdateDateTime
// changed. ge rather than gt keeps an update made in the same clock tick
// as the watermark from being missed; the alerts at exactly the watermark
// come back again and are recognised as unchanged, so a repeated sync is
// idempotent and writes nothing.
const (
	AlertsWorkload = "alerts"
	alertsResource = "alerts_v2"
	alertsFile     = "alerts.json"
)

// Alert is a stored alert: a few fields for listing and the JSON Graph
// returned.
type Alert struct {
	ID                 string          `json:"id"`
	Title              string          `json:"title"`
	Severity           string          `json:"severity"`
	Status             string          `json:"status"`
	ServiceSource      string          `json:"serviceSource"`
	Classification     string          `json:"classification,omitempty"`
	Determination      string          `json:"determination,omitempty"`
	AssignedTo         string          `json:"assignedTo,omitempty"`
	CreatedDateTime    string          `json:"createdDateTime"`
	LastUpdateDateTime string          `json:"lastUpdateDateTime"`
	Raw                json.RawMessage `json:"raw"`
}

// ParseAlert decodes an alerts_v2 object.
func ParseAlert(raw json.RawMessage) (Alert, error) {
	var a struct {
		ID, Title, Severity, Status, ServiceSource, CreatedDateTime, LastUpdateDateTime string
		Classification, Determination, AssignedTo                                       *string
	}
	if err := json.Unmarshal(raw, &a); err != nil {
		return Alert{}, fmt.Errorf("alert: %w", err)
	}
	if a.ID == "" {
		return Alert{}, fmt.Errorf("alert without an id")
	}
	deref := func(p *string) string {
		if p == nil {
			return ""
		}
		return *p
	}
	return Alert{ID: a.ID, Title: a.Title, Severity: a.Severity, Status: a.Status, ServiceSource: a.ServiceSource,
		Classification: deref(a.Classification), Determination: deref(a.Determination), AssignedTo: deref(a.AssignedTo),
		CreatedDateTime: a.CreatedDateTime, LastUpdateDateTime: a.LastUpdateDateTime, Raw: raw}, nil
}

// AlertStore is the stored state of one tenant's alerts.
type AlertStore struct {
	Watermark string           `json:"watermark"` // greatest lastUpdateDateTime seen (RFC 3339)
	SyncedAt  time.Time        `json:"syncedAt"`
	Alerts    map[string]Alert `json:"alerts"`
}

// Sorted returns the alerts, newest created first.
func (s *AlertStore) Sorted() []Alert {
	out := make([]Alert, 0, len(s.Alerts))
	for _, a := range s.Alerts {
		out = append(out, a)
	}
	slices.SortFunc(out, func(a, b Alert) int {
		if c := strings.Compare(b.CreatedDateTime, a.CreatedDateTime); c != 0 {
			return c
		}
		return strings.Compare(a.ID, b.ID)
	})
	return out
}

// alertRepo is what the store needs of the repository.
type alertRepo interface {
	NewSnapshot(ctx context.Context, src repo.Source, opts repo.SnapshotOptions) (*repo.SnapshotWriter, error)
	Snapshots(ctx context.Context, f repo.Filter) ([]repo.SnapshotInfo, error)
	OpenFile(ctx context.Context, id repo.SnapshotID, p string) (io.ReadSeekCloser, error)
}

var _ alertRepo = (*repo.Repository)(nil)

// alertLister is the Graph call a sync makes.
type alertLister interface {
	SecurityAlerts(ctx context.Context, filter string) iter.Seq2[json.RawMessage, error]
}

var _ alertLister = (*graph.Client)(nil)

// LoadAlerts returns the tenant's newest stored alert state, or an empty
// store when none was saved.
func LoadAlerts(ctx context.Context, r alertRepo, tenantID string) (*AlertStore, error) {
	snaps, err := r.Snapshots(ctx, repo.Filter{Tenant: tenantID, Workload: AlertsWorkload, Resource: alertsResource})
	if err != nil {
		return nil, fmt.Errorf("alert store: %w", err)
	}
	st := &AlertStore{Alerts: map[string]Alert{}}
	if len(snaps) == 0 {
		return st, nil
	}
	latest := slices.MaxFunc(snaps, func(a, b repo.SnapshotInfo) int { return a.StartTime.Compare(b.StartTime) })
	f, err := r.OpenFile(ctx, latest.ID, alertsFile)
	if err != nil {
		return nil, fmt.Errorf("alert store %s: %w", latest.ID, err)
	}
	defer f.Close()
	if err := json.NewDecoder(f).Decode(st); err != nil {
		return nil, fmt.Errorf("alert store %s: %w", latest.ID, err)
	}
	if st.Alerts == nil {
		st.Alerts = map[string]Alert{}
	}
	return st, nil
}

// SyncStats says what a sync did.
type SyncStats struct {
	Filter     string `json:"filter"`     // the $filter sent ("" on the first sync)
	Downloaded int    `json:"downloaded"` // alerts Graph returned
	New        int    `json:"new"`
	Updated    int    `json:"updated"` // stored alerts whose lastUpdateDateTime changed
	Unchanged  int    `json:"unchanged"`
	Committed  bool   `json:"committed"` // a new snapshot was written
}

// SyncAlerts fetches the alerts updated since the stored watermark, merges
// them and saves the store when something changed. now stamps syncedAt.
func SyncAlerts(ctx context.Context, g alertLister, r alertRepo, tenantID string, now time.Time) (*AlertStore, SyncStats, error) {
	st, err := LoadAlerts(ctx, r, tenantID)
	if err != nil {
		return nil, SyncStats{}, err
	}
	var stats SyncStats
	if st.Watermark != "" {
		stats.Filter = "lastUpdateDateTime ge " + st.Watermark
	}
	for raw, err := range g.SecurityAlerts(ctx, stats.Filter) {
		if err != nil {
			return nil, stats, explain(err, "GET /security/alerts_v2")
		}
		stats.Downloaded++
		a, err := ParseAlert(raw)
		if err != nil {
			return nil, stats, err
		}
		old, seen := st.Alerts[a.ID]
		switch {
		case !seen:
			stats.New++
		case old.LastUpdateDateTime != a.LastUpdateDateTime:
			stats.Updated++
		default:
			stats.Unchanged++
			continue
		}
		st.Alerts[a.ID] = a
		if laterTime(a.LastUpdateDateTime, st.Watermark) {
			st.Watermark = a.LastUpdateDateTime
		}
	}
	if stats.New+stats.Updated == 0 {
		return st, stats, nil
	}
	st.SyncedAt = now.UTC()
	if err := saveAlerts(ctx, r, tenantID, st); err != nil {
		return nil, stats, err
	}
	stats.Committed = true
	return st, stats, nil
}

// laterTime reports whether RFC 3339 time a is after b ("" is earliest).
// Graph writes 0 to 7 fractional digits, so the strings are parsed rather
// than compared.
func laterTime(a, b string) bool {
	if b == "" {
		return a != ""
	}
	ta, err1 := time.Parse(time.RFC3339Nano, a)
	tb, err2 := time.Parse(time.RFC3339Nano, b)
	if err1 != nil || err2 != nil {
		return a > b
	}
	return ta.After(tb)
}

// PutAlert stores one alert as Graph returned it after an update, so a
// list shows the new state without waiting for the next sync.
func PutAlert(ctx context.Context, r alertRepo, tenantID string, raw json.RawMessage, now time.Time) error {
	a, err := ParseAlert(raw)
	if err != nil {
		return err
	}
	st, err := LoadAlerts(ctx, r, tenantID)
	if err != nil {
		return err
	}
	st.Alerts[a.ID] = a
	// The watermark is left alone: alerts updated by others before this
	// one must still be fetched by the next sync.
	st.SyncedAt = now.UTC()
	return saveAlerts(ctx, r, tenantID, st)
}

func saveAlerts(ctx context.Context, r alertRepo, tenantID string, st *AlertStore) error {
	b, err := json.Marshal(st)
	if err != nil {
		return fmt.Errorf("alert store: %w", err)
	}
	w, err := r.NewSnapshot(ctx, repo.Source{Tenant: tenantID, Workload: AlertsWorkload, Resource: alertsResource},
		repo.SnapshotOptions{Description: fmt.Sprintf("%d alerts, watermark %s", len(st.Alerts), st.Watermark)})
	if err != nil {
		return fmt.Errorf("alert store: %w", err)
	}
	if err := w.WriteFile(ctx, alertsFile, bytes.NewReader(b), st.SyncedAt); err != nil {
		w.Abort()
		return fmt.Errorf("alert store: %w", err)
	}
	if _, err := w.Commit(ctx); err != nil {
		return fmt.Errorf("alert store: %w", err)
	}
	return nil
}

// AlertUpdate is what "alerts update" changes; empty fields are left
// alone.
type AlertUpdate struct {
	Status, Classification, Determination, AssignedTo string
}

// Alert workflow enumerations, from the alert resource page.
// https://learn.microsoft.com/en-us/graph/api/resources/security-alert
var (
	AlertStatuses        = []string{"new", "inProgress", "resolved"}
	AlertClassifications = []string{"unknown", "falsePositive", "truePositive", "informationalExpectedActivity"}
	AlertDeterminations  = []string{"unknown", "apt", "malware", "securityPersonnel", "securityTesting", "unwantedSoftware",
		"other", "multiStagedAttack", "compromisedAccount", "phishing", "maliciousUserActivity", "notMalicious",
		"notEnoughDataToValidate", "confirmedActivity", "lineOfBusinessApplication"}
)

// Body returns the PATCH body, validating the enumerations.
func (u AlertUpdate) Body() (map[string]any, error) {
	body, err := workflowBody(AlertStatuses, u.Status, u.Classification, u.Determination, u.AssignedTo)
	if err == nil && len(body) == 0 {
		err = fmt.Errorf("nothing to update: give a status, classification, determination or assignee")
	}
	return body, err
}

// workflowBody is the part of an alert or incident PATCH that alerts and
// incidents share: status (from statuses), classification, determination
// and assignee, each validated and set only when given.
func workflowBody(statuses []string, status, classification, determination, assignedTo string) (map[string]any, error) {
	body := map[string]any{}
	for _, f := range []struct {
		name, v string
		enum    []string
	}{{"status", status, statuses}, {"classification", classification, AlertClassifications},
		{"determination", determination, AlertDeterminations}, {"assignedTo", assignedTo, nil}} {
		if f.v == "" {
			continue
		}
		if f.enum != nil && !slices.Contains(f.enum, f.v) {
			return nil, fmt.Errorf("%s %q: want %s", f.name, f.v, strings.Join(f.enum, ", "))
		}
		body[f.name] = f.v
	}
	return body, nil
}
