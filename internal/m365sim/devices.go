package m365sim

import (
	"encoding/binary"
	"fmt"
	"net/http"
	"slices"
	"strings"

	"github.com/safeguard365/safeguard365/internal/m365sim/odata"
	"github.com/safeguard365/safeguard365/internal/m365sim/tenant"
)

// Navigation properties of a managed device, kept in its object; Graph
// serves them on their own paths (or $expand), and
// deviceHealthAttestationState only when $select names it
// (intune-devices-manageddevice-get).
var deviceNav = []string{"windowsProtectionState", "deviceCompliancePolicyStates", "detectedApps"}

// deviceJSON shows a managed device: navigation properties only when
// expanded, health attestation only when selected.
func deviceJSON(p tenant.Props, q *odata.Query) map[string]any {
	m := secJSON(p, deviceNav)
	if !slices.ContainsFunc(q.Select, func(s string) bool { return strings.EqualFold(s, "deviceHealthAttestationState") }) {
		delete(m, "deviceHealthAttestationState")
	}
	for _, nav := range []string{"windowsProtectionState", "detectedApps"} {
		if wantsExpand(q, nav) {
			if v, ok := p[nav]; ok {
				m[nav] = tenant.DeepCopy(tenant.Props{"v": v})["v"]
			} else if nav == "windowsProtectionState" {
				m[nav] = nil
			} else {
				m[nav] = []any{}
			}
		}
	}
	return m
}

// deviceRoutes registers deviceManagement/managedDevices, its navigation
// properties and its remote actions, and deviceManagement/detectedApps.
// https://learn.microsoft.com/en-us/graph/api/resources/intune-devices-manageddevice
func (s *Server) deviceRoutes(read, priv spec) {
	base := "/deviceManagement/managedDevices"
	s.handle("GET "+base, read, s.listManagedDevices)
	s.handle("GET "+base+"/{id}", read, s.getManagedDevice)
	s.handle("GET "+base+"/{id}/windowsProtectionState", read, s.getProtectionState)
	s.handle("GET "+base+"/{id}/windowsProtectionState/detectedMalwareState", read, s.deviceNavList("windowsProtectionState/detectedMalwareState"))
	s.handle("GET "+base+"/{id}/deviceCompliancePolicyStates", read, s.deviceNavList("deviceCompliancePolicyStates"))
	s.handle("GET "+base+"/{id}/detectedApps", read, s.deviceNavList("detectedApps"))
	s.handle("GET /deviceManagement/detectedApps", read, s.listDetectedApps)
	for _, a := range []string{"syncDevice", "windowsDefenderScan", "windowsDefenderUpdateSignatures", "rebootNow",
		"remoteLock", "retire", "wipe"} {
		s.handle("POST "+base+"/{id}/"+a, priv, s.deviceAction(a))
	}
}

func (s *Server) listManagedDevices(w http.ResponseWriter, r *http.Request) {
	q := parseQuery(w, r, managedDeviceRules)
	if q == nil {
		return
	}
	var items []map[string]any
	s.t(r).Read(func() error {
		for _, p := range s.t(r).Security.List(tenant.SetManagedDevices) {
			items = append(items, deviceJSON(p, q))
		}
		return nil
	})
	writePage(w, r, q, managedDeviceRules, items, listOpts{context: "deviceManagement/managedDevices", countAny: true,
		keep: []string{"windowsProtectionState", "detectedApps"}})
}

// deviceNotFound answers an unknown device id as Intune does.
func deviceNotFound(w http.ResponseWriter, r *http.Request, id string) {
	graphError(w, r, http.StatusNotFound, "ResourceNotFound", "No resource found for key '"+id+"'.")
}

func (s *Server) getManagedDevice(w http.ResponseWriter, r *http.Request) {
	q := parseQuery(w, r, odata.Rules{})
	if q == nil {
		return
	}
	var item map[string]any
	s.t(r).Read(func() error {
		if p := s.t(r).Security.Find(tenant.SetManagedDevices, r.PathValue("id")); p != nil {
			item = odata.Project(deviceJSON(p, q), q.Select, "windowsProtectionState", "detectedApps")
		}
		return nil
	})
	if item == nil {
		deviceNotFound(w, r, r.PathValue("id"))
		return
	}
	item["@odata.context"] = contextURL(r, "deviceManagement/managedDevices/$entity")
	writeJSON(w, http.StatusOK, item)
}

// getProtectionState is GET managedDevices/{id}/windowsProtectionState; a
// device without one (not Windows) answers 404.
// https://learn.microsoft.com/en-us/graph/api/intune-devices-windowsprotectionstate-get
func (s *Server) getProtectionState(w http.ResponseWriter, r *http.Request) {
	q := parseQuery(w, r, odata.Rules{})
	if q == nil {
		return
	}
	var item map[string]any
	found := false
	s.t(r).Read(func() error {
		p := s.t(r).Security.Find(tenant.SetManagedDevices, r.PathValue("id"))
		if p == nil {
			return nil
		}
		found = true
		if ps, ok := p["windowsProtectionState"].(map[string]any); ok {
			item = odata.Project(secJSON(ps, []string{"detectedMalwareState"}), q.Select)
		}
		return nil
	})
	if item == nil {
		id := r.PathValue("id")
		if found {
			id += "/windowsProtectionState"
		}
		deviceNotFound(w, r, id)
		return
	}
	item["@odata.context"] = contextURL(r, "deviceManagement/managedDevices('"+r.PathValue("id")+"')/windowsProtectionState/$entity")
	writeJSON(w, http.StatusOK, item)
}

// deviceNavList serves a collection kept inside a device (path below the
// device, e.g. "deviceCompliancePolicyStates"). detectedApps per device is
// a beta API; v1.0 answers as for an unknown segment.
func (s *Server) deviceNavList(path string) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if path == "detectedApps" && apiVersion(r) != "beta" {
			badRequest(w, r, "BadRequest", "Resource not found for the segment 'detectedApps'.")
			return
		}
		rules := odata.Rules{DefaultTop: 1000, MaxTop: 1000}
		q := parseQuery(w, r, rules)
		if q == nil {
			return
		}
		var items []map[string]any
		found := false
		s.t(r).Read(func() error {
			p := s.t(r).Security.Find(tenant.SetManagedDevices, r.PathValue("id"))
			if p == nil {
				return nil
			}
			found = true
			var v any = p
			for _, seg := range strings.Split(path, "/") {
				m, _ := v.(map[string]any)
				v = m[seg]
			}
			list, _ := v.([]any)
			for _, e := range list {
				if m, ok := e.(map[string]any); ok {
					items = append(items, tenant.DeepCopy(m))
				}
			}
			return nil
		})
		if !found {
			deviceNotFound(w, r, r.PathValue("id"))
			return
		}
		writePage(w, r, q, rules, items, listOpts{context: "deviceManagement/managedDevices('" + r.PathValue("id") + "')/" + path, countAny: true})
	}
}

// listDetectedApps is GET /deviceManagement/detectedApps: the apps of all
// devices, one entry per name and version with its device count.
// https://learn.microsoft.com/en-us/graph/api/intune-devices-detectedapp-list
func (s *Server) listDetectedApps(w http.ResponseWriter, r *http.Request) {
	rules := odata.Rules{DefaultTop: 1000, MaxTop: 1000}
	q := parseQuery(w, r, rules)
	if q == nil {
		return
	}
	var items []map[string]any
	s.t(r).Read(func() error {
		byKey := map[string]map[string]any{}
		for _, d := range s.t(r).Security.List(tenant.SetManagedDevices) {
			apps, _ := d["detectedApps"].([]any)
			for _, a := range apps {
				m, _ := a.(map[string]any)
				key := fmt.Sprint(m["displayName"], "\x00", m["version"])
				if e := byKey[key]; e != nil {
					e["deviceCount"] = e["deviceCount"].(int) + 1
					continue
				}
				e := tenant.DeepCopy(m)
				e["deviceCount"] = 1
				byKey[key] = e
				items = append(items, e)
			}
		}
		return nil
	})
	writePage(w, r, q, rules, items, listOpts{context: "deviceManagement/detectedApps"})
}

// deviceAction serves POST managedDevices/{id}/{action}: it records the
// action in deviceActionResults and applies its effect, then answers 204.
// Effects: syncDevice refreshes lastSyncDateTime; windowsDefenderScan
// records a quick or full scan; windowsDefenderUpdateSignatures brings the
// signatures up to date; rebootNow clears rebootRequired; retire and wipe
// stay pending (the device is gone once it checks in, which the emulator
// does not model). Defender actions on a device without Windows answer 400.
// https://learn.microsoft.com/en-us/graph/api/intune-devices-manageddevice-wipe
func (s *Server) deviceAction(action string) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		in := map[string]any{}
		if r.ContentLength != 0 {
			var ok bool
			if in, ok = decodeObject(w, r); !ok {
				return
			}
		}
		for k, v := range in {
			ok := false
			switch action {
			case "windowsDefenderScan":
				_, ok = v.(bool)
				ok = ok && k == "quickScan"
			case "wipe":
				switch k {
				case "keepEnrollmentData", "keepUserData", "persistEsimDataPlan":
					_, ok = v.(bool)
				case "macOsUnlockCode":
					_, ok = v.(string)
				}
			}
			if !ok {
				badRequest(w, r, "BadRequest", "Unexpected or invalid parameter '"+k+"' for action "+action+".")
				return
			}
		}
		t := s.t(r)
		found, unsupported := false, false
		t.Write(func() error {
			d := t.Security.Find(tenant.SetManagedDevices, r.PathValue("id"))
			if d == nil {
				return nil
			}
			found = true
			now := tenant.Timestamp(t.Now())
			ps, windows := d["windowsProtectionState"].(map[string]any)
			state := "done"
			switch action {
			case "windowsDefenderScan", "windowsDefenderUpdateSignatures":
				if !windows {
					unsupported = true
					return nil
				}
				if action == "windowsDefenderScan" {
					if q, _ := in["quickScan"].(bool); q {
						ps["lastQuickScanDateTime"], ps["quickScanOverdue"] = now, false
					} else {
						ps["lastFullScanDateTime"], ps["fullScanOverdue"], ps["fullScanRequired"] = now, false, false
					}
				} else {
					ps["signatureUpdateOverdue"], ps["signatureVersion"] = false, "1.421.1530.0"
					ps["productStatus"] = removeFlag(fmt.Sprint(ps["productStatus"]), "avSignaturesOutOfDate")
				}
				ps["lastReportedDateTime"] = now
			case "syncDevice":
				d["lastSyncDateTime"] = now
			case "rebootNow":
				if windows {
					ps["rebootRequired"] = false
				}
			case "retire", "wipe":
				state = "pending"
			}
			res, _ := d["deviceActionResults"].([]any)
			d["deviceActionResults"] = append(res, map[string]any{"actionName": action, "actionState": state,
				"startDateTime": now, "lastUpdatedDateTime": now})
			return nil
		})
		switch {
		case !found:
			deviceNotFound(w, r, r.PathValue("id"))
		case unsupported:
			badRequest(w, r, "BadRequest", "The action "+action+" is not supported for this device's platform.")
		default:
			w.WriteHeader(http.StatusNoContent)
		}
	}
}

// removeFlag removes one value from a comma-separated flags enum,
// answering "noStatus" when none remain.
func removeFlag(flags, flag string) string {
	var keep []string
	for _, f := range strings.Split(flags, ",") {
		if f = strings.TrimSpace(f); f != "" && f != flag && f != "noStatus" {
			keep = append(keep, f)
		}
	}
	if len(keep) == 0 {
		return "noStatus"
	}
	return strings.Join(keep, ", ")
}

// nextSecurityID returns a new GUID for an object created after generation
// (risk history entries, machine actions). Hold the write lock.
func (s *Server) nextSecurityID(t *tenant.Tenant) string {
	t.Security.IDs++
	var raw [16]byte
	binary.BigEndian.PutUint64(raw[:8], tenant.SeedOf(t.Seed, "security-action", t.Security.IDs, 0))
	binary.BigEndian.PutUint64(raw[8:], tenant.SeedOf(t.Seed, "security-action", t.Security.IDs, 1))
	raw[6] = raw[6]&0x0f | 0x40
	raw[8] = raw[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", raw[0:4], raw[4:6], raw[6:8], raw[8:10], raw[10:16])
}
