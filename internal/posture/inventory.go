package posture

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"os"
	"slices"
	"strings"
	"time"
)

// InventorySchemaVersion is the inventory format this package reads and
// writes. docs/inventory.md describes it.
const InventorySchemaVersion = 1

// maxInventoryBytes bounds what ReadInventory accepts: a tenant of 100,000
// users with the selected properties is about 60 MB.
const maxInventoryBytes = 512 << 20

// Source collection states in Inventory.Sources.
const (
	SourceOK           = "ok"           // collected completely
	SourceError        = "error"        // collection failed; Error says why
	SourceNotCollected = "notCollected" // the collector did not try
)

// Inventory is one collection of a tenant's configuration: Graph objects as
// Graph returned them, by source key. A source whose status is not "ok", or
// that is absent from Sources, is unknown: rules that need it report Error.
type Inventory struct {
	SchemaVersion int                     `json:"schemaVersion"`
	Tenant        Tenant                  `json:"tenant"`
	CollectedAt   time.Time               `json:"collectedAt"`
	Collector     string                  `json:"collector,omitempty"` // e.g. "sg365 1.2.0 tenantguard"
	Sources       map[string]SourceStatus `json:"sources"`
	// Data holds each source's Graph JSON unchanged: an array for
	// collections, an object for singletons.
	Data map[string]json.RawMessage `json:"data"`
}

// Tenant identifies the assessed tenant.
type Tenant struct {
	ID          string `json:"id"`
	DisplayName string `json:"displayName,omitempty"`
	// DefaultDomain is the tenant's default verified domain, when known.
	DefaultDomain string `json:"defaultDomain,omitempty"`
}

// SourceStatus is how collecting one source went.
type SourceStatus struct {
	Status string `json:"status"`          // SourceOK, SourceError or SourceNotCollected
	Error  string `json:"error,omitempty"` // for SourceError: what failed, without secrets
	// Endpoint is the Graph request that produced the data, for the record.
	Endpoint string `json:"endpoint,omitempty"`
}

// ErrInventory is wrapped by every error about a malformed inventory.
var ErrInventory = errors.New("invalid inventory")

// SourceState returns the status of source key, treating an absent entry
// as not collected.
func (inv *Inventory) SourceState(key string) SourceStatus {
	if st, ok := inv.Sources[key]; ok {
		return st
	}
	return SourceStatus{Status: SourceNotCollected}
}

// SetSource records data for key with status ok. v is marshalled to JSON;
// a json.RawMessage is stored as is. It is for collectors and tests.
func (inv *Inventory) SetSource(key string, v any) error {
	raw, ok := v.(json.RawMessage)
	if !ok {
		b, err := json.Marshal(v)
		if err != nil {
			return fmt.Errorf("inventory source %s: %w", key, err)
		}
		raw = b
	}
	if inv.Sources == nil {
		inv.Sources = map[string]SourceStatus{}
	}
	if inv.Data == nil {
		inv.Data = map[string]json.RawMessage{}
	}
	inv.Sources[key] = SourceStatus{Status: SourceOK}
	inv.Data[key] = raw
	return nil
}

// SetSourceError records that collecting key failed, dropping any data.
func (inv *Inventory) SetSourceError(key string, err error) {
	if inv.Sources == nil {
		inv.Sources = map[string]SourceStatus{}
	}
	inv.Sources[key] = SourceStatus{Status: SourceError, Error: err.Error()}
	delete(inv.Data, key)
}

// Validate checks the document's shape: the schema version, the source
// states, and that every data value is a JSON array or object (or null).
// Errors wrap ErrInventory.
func (inv *Inventory) Validate() error {
	if inv.SchemaVersion != InventorySchemaVersion {
		return fmt.Errorf("%w: schemaVersion %d, want %d", ErrInventory, inv.SchemaVersion, InventorySchemaVersion)
	}
	for _, k := range slices.Sorted(maps.Keys(inv.Sources)) {
		switch st := inv.Sources[k]; st.Status {
		case SourceOK, SourceNotCollected:
		case SourceError:
			if st.Error == "" {
				return fmt.Errorf("%w: source %s has status error but no error message", ErrInventory, k)
			}
		default:
			return fmt.Errorf("%w: source %s: unknown status %q (want ok, error or notCollected)", ErrInventory, k, st.Status)
		}
	}
	for _, k := range slices.Sorted(maps.Keys(inv.Data)) {
		raw := bytes.TrimSpace(inv.Data[k])
		if len(raw) == 0 || !(raw[0] == '[' || raw[0] == '{' || string(raw) == "null") {
			return fmt.Errorf("%w: data.%s must be a JSON array or object", ErrInventory, k)
		}
	}
	return nil
}

// ParseInventory decodes and validates an inventory document. Unknown
// top-level fields are rejected so that a typo ("source" for "sources")
// does not silently turn every rule into Error.
func ParseInventory(b []byte) (*Inventory, error) {
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	var inv Inventory
	if err := dec.Decode(&inv); err != nil {
		return nil, fmt.Errorf("%w: %v", ErrInventory, err)
	}
	if dec.More() {
		return nil, fmt.Errorf("%w: trailing data after the document", ErrInventory)
	}
	if err := inv.Validate(); err != nil {
		return nil, err
	}
	return &inv, nil
}

// ReadInventory reads a document from r; see ParseInventory.
func ReadInventory(r io.Reader) (*Inventory, error) {
	b, err := io.ReadAll(io.LimitReader(r, maxInventoryBytes+1))
	if err != nil {
		return nil, err
	}
	if len(b) > maxInventoryBytes {
		return nil, fmt.Errorf("%w: larger than %d MiB", ErrInventory, maxInventoryBytes>>20)
	}
	return ParseInventory(b)
}

// LoadInventory reads the inventory file at path.
func LoadInventory(path string) (*Inventory, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	inv, err := ReadInventory(f)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return inv, nil
}

// lowerAll returns the strings lower-cased, for case-insensitive id sets.
func lowerAll(ss []string) []string {
	out := make([]string, 0, len(ss))
	for _, s := range ss {
		out = append(out, strings.ToLower(s))
	}
	return out
}
