package m365sim

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/safeguard365/safeguard365/internal/m365sim/identity"
	"github.com/safeguard365/safeguard365/internal/m365sim/limits"
	"github.com/safeguard365/safeguard365/internal/m365sim/odata"
	"github.com/safeguard365/safeguard365/internal/m365sim/tenant"
)

// The Microsoft Defender for Endpoint API host, served under /api/ as
// https://api.securitycenter.microsoft.com/api serves it: machines, machine
// actions (isolate, unisolate, runAntiVirusScan) and alerts. Requests need
// a token for the MDE resource (identity.MDEResource); a Graph token gets
// 401, as an MDE token does on Graph. Permissions are the MDE app roles
// (Machine.Read.All, Machine.Isolate, Machine.Scan, Alert.Read.All).
// The per-API rate limits (100 calls a minute) are not modelled.
// https://learn.microsoft.com/en-us/defender-endpoint/api/apis-intro

// mdeKey is the context key of the authenticated MDE principal.
const mdeKey ctxKey = 2

// mdeRoutes builds the MDE API's mux.
func (s *Server) mdeRoutes() *http.ServeMux {
	mux := http.NewServeMux()
	h := func(pattern string, roles []string, fn handlerFunc) {
		mux.HandleFunc(pattern, func(w http.ResponseWriter, r *http.Request) {
			p, _ := r.Context().Value(mdeKey).(*identity.Principal)
			if p == nil || !hasAny(p.Roles, roles) {
				mdeError(w, http.StatusForbidden, "Forbidden", "The application does not have any of the required application roles ("+
					strings.Join(roles, ", ")+") to access the resource.")
				return
			}
			fn(w, r)
		})
	}
	h("GET /api/machines", rolesMDEMachineRead, s.mdeList(tenant.SetMachines, "Machines", mdeMachineFilter))
	h("GET /api/machines/{id}", rolesMDEMachineRead, s.mdeGet(tenant.SetMachines, "Machines"))
	h("POST /api/machines/{id}/isolate", rolesMDEIsolate, s.mdeAction("Isolate"))
	h("POST /api/machines/{id}/unisolate", rolesMDEIsolate, s.mdeAction("Unisolate"))
	h("POST /api/machines/{id}/runAntiVirusScan", rolesMDEScan, s.mdeAction("RunAntiVirusScan"))
	h("GET /api/machineactions", rolesMDEMachineRead, s.mdeList(tenant.SetMachineActions, "MachineActions", mdeActionFilter))
	h("GET /api/machineactions/{id}", rolesMDEMachineRead, s.mdeGet(tenant.SetMachineActions, "MachineActions"))
	h("GET /api/alerts", rolesMDEAlertRead, s.mdeList(tenant.SetMDEAlerts, "Alerts", mdeAlertFilter))
	h("GET /api/alerts/{id}", rolesMDEAlertRead, s.mdeGet(tenant.SetMDEAlerts, "Alerts"))
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		mdeError(w, http.StatusNotFound, "ResourceNotFound", "Resource not found: "+r.URL.Path)
	})
	return mux
}

// $filter properties per collection, from the list pages.
var (
	mdeMachineFilter = []string{"computerDnsName", "id", "version", "deviceValue", "aadDeviceId", "machineTags", "lastSeen",
		"exposureLevel", "onboardingStatus", "lastIpAddress", "healthStatus", "osPlatform", "riskScore", "rbacGroupId"}
	mdeActionFilter = []string{"id", "status", "machineId", "type", "requestor", "creationDateTimeUtc"}
	mdeAlertFilter  = []string{"alertCreationTime", "lastUpdateTime", "incidentId", "investigationId", "id", "asssignedTo",
		"detectionSource", "lastEventTime", "status", "severity", "category"}
)

// serveMDE authenticates a Defender for Endpoint API request and routes it.
func (s *Server) serveMDE(w http.ResponseWriter, r *http.Request) {
	rec := &statusRecorder{ResponseWriter: w}
	w = rec
	endpoint := "mde " + r.Method + " unrouted"
	var app string
	defer func() {
		s.counters.Record(limits.Sample{App: app, Class: limits.ClassIdentity, Endpoint: endpoint, Status: rec.status,
			BytesOut: rec.bytes, BytesIn: max(r.ContentLength, 0)})
	}()
	if _, pattern := s.mde.Handler(r); pattern != "" {
		endpoint = "mde " + pattern
	}
	w, answered := s.injectFault(w, r)
	if answered {
		return
	}
	p, aerr := s.idp.AuthenticateMDE(r)
	if aerr != nil {
		mdeError(w, http.StatusUnauthorized, "Unauthorized", aerr.Message)
		return
	}
	app = p.AppID
	s.mde.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), mdeKey, p)))
}

// mdeError writes the MDE API's error body: {"error":{"code","message","target"}}.
// https://learn.microsoft.com/en-us/defender-endpoint/api/common-errors
func mdeError(w http.ResponseWriter, status int, code, message string) {
	writeJSON(w, status, map[string]any{"error": map[string]any{"code": code, "message": message,
		"target": w.Header().Get("request-id")}})
}

func mdeContext(r *http.Request, entitySet string) string {
	return baseURL(r) + "/api/$metadata#" + entitySet
}

// mdeList serves an MDE collection with $filter, $top (at most 10,000) and
// $skip, and an @odata.nextLink when a page is full.
func (s *Server) mdeList(set, entitySet string, filterable []string) handlerFunc {
	props := map[string]odata.PropRule{}
	for _, p := range filterable {
		props[p] = odata.PropRule{Ops: []string{"eq", "ne", "gt", "ge", "lt", "le", "in", "any"}}
	}
	rules := odata.Rules{Resource: entitySet, DefaultTop: 10000, MaxTop: 10000,
		Options: []string{odata.OptFilter, odata.OptTop, odata.OptSkip, odata.OptSelect, odata.OptExpand, odata.OptOrderBy, odata.OptCount},
		Filter:  odata.FilterRules{Props: props, Code: "InvalidRequestBody", Message: "Invalid filter: the property '%s' of %s is not filterable."}}
	return func(w http.ResponseWriter, r *http.Request) {
		q, err := odata.ParseRawQuery(r.URL.RawQuery)
		if err == nil {
			err = q.Check(rules, false)
		}
		if err != nil {
			mdeBadQuery(w, err)
			return
		}
		t := s.t(r)
		var items []map[string]any
		t.Write(func() error { // reading progresses pending actions
			for _, p := range t.Security.List(set) {
				if set == tenant.SetMachineActions {
					progressAction(t, p)
				}
				it := tenant.DeepCopy(p)
				delete(it, "_seen")
				items = append(items, it)
			}
			return nil
		})
		if q.Filter != nil {
			kept := items[:0:0]
			for _, it := range items {
				ok, err := q.Filter.Eval(it)
				if err != nil {
					mdeBadQuery(w, err)
					return
				}
				if ok {
					kept = append(kept, it)
				}
			}
			items = kept
		}
		if len(q.OrderBy) > 0 {
			odata.Sort(items, q.OrderBy)
		}
		size := rules.DefaultTop
		if q.Top > 0 {
			size = q.Top
		}
		start := min(q.Skip, len(items))
		end := min(start+size, len(items))
		page := items[start:end]
		for i := range page {
			page[i] = odata.Project(page[i], q.Select)
		}
		if page == nil {
			page = []map[string]any{}
		}
		body := map[string]any{"@odata.context": mdeContext(r, entitySet), "value": page}
		if end < len(items) && q.Top == 0 {
			next := url.Values{}
			for k, v := range r.URL.Query() {
				next[k] = v
			}
			next.Set("$skip", strconv.Itoa(end))
			body["@odata.nextLink"] = baseURL(r) + r.URL.Path + "?" + encodeQuery(next)
		}
		writeJSON(w, http.StatusOK, body)
	}
}

func mdeBadQuery(w http.ResponseWriter, err error) {
	var oe *odata.Error
	if errors.As(err, &oe) {
		mdeError(w, http.StatusBadRequest, "InvalidRequestBody", oe.Message)
		return
	}
	mdeError(w, http.StatusBadRequest, "InvalidRequestBody", err.Error())
}

func (s *Server) mdeGet(set, entitySet string) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		t := s.t(r)
		var item map[string]any
		t.Write(func() error {
			if p := t.Security.Find(set, r.PathValue("id")); p != nil {
				if set == tenant.SetMachineActions {
					progressAction(t, p)
				}
				item = tenant.DeepCopy(p)
				delete(item, "_seen")
			}
			return nil
		})
		if item == nil {
			mdeError(w, http.StatusNotFound, "ResourceNotFound", entitySet+" "+r.PathValue("id")+" was not found.")
			return
		}
		item["@odata.context"] = mdeContext(r, entitySet+"/$entity")
		writeJSON(w, http.StatusOK, item)
	}
}

// progressAction completes a pending machine action once it has been
// read back after its creation: the emulator's device is always online.
// Hold the write lock.
func progressAction(t *tenant.Tenant, a tenant.Props) {
	if a["status"] == "Pending" {
		if seen, _ := a["_seen"].(bool); !seen {
			a["_seen"] = true
			return
		}
		a["status"], a["lastUpdateDateTimeUtc"] = "Succeeded", mdeTime(t.Now())
	}
}

func mdeTime(t time.Time) string { return t.UTC().Format("2006-01-02T15:04:05.0000000Z") }

// mdeAction creates a machine action: isolate ({Comment, IsolationType}),
// unisolate ({Comment}) or runAntiVirusScan ({Comment, ScanType}); it
// answers 201 with the machineAction. Isolating an isolated machine, or
// releasing one that is not isolated, answers 400 as MDE does.
// https://learn.microsoft.com/en-us/defender-endpoint/api/isolate-machine
// https://learn.microsoft.com/en-us/defender-endpoint/api/unisolate-machine
// https://learn.microsoft.com/en-us/defender-endpoint/api/run-av-scan
func (s *Server) mdeAction(typ string) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		var in map[string]any
		if err := json.NewDecoder(http.MaxBytesReader(w, r.Body, 1<<20)).Decode(&in); err != nil || in == nil {
			mdeError(w, http.StatusBadRequest, "InvalidRequestBody", "Request body is not a valid JSON object.")
			return
		}
		comment, _ := in["Comment"].(string)
		if comment == "" {
			mdeError(w, http.StatusBadRequest, "InvalidRequestBody", "Comment is required.")
			return
		}
		scope := ""
		switch typ {
		case "Isolate":
			scope, _ = in["IsolationType"].(string)
			if scope != "Full" && scope != "Selective" && scope != "UnManagedDevice" {
				mdeError(w, http.StatusBadRequest, "InvalidRequestBody", "IsolationType must be Full, Selective or UnManagedDevice.")
				return
			}
		case "RunAntiVirusScan":
			scope, _ = in["ScanType"].(string)
			if scope != "Quick" && scope != "Full" {
				mdeError(w, http.StatusBadRequest, "InvalidRequestBody", "ScanType must be Quick or Full.")
				return
			}
		}
		p, _ := r.Context().Value(mdeKey).(*identity.Principal)
		t := s.t(r)
		var out map[string]any
		conflict, found := "", false
		t.Write(func() error {
			m := t.Security.Find(tenant.SetMachines, r.PathValue("id"))
			if m == nil {
				return nil
			}
			found = true
			if typ == "Isolate" || typ == "Unisolate" {
				isolated := false
				for _, a := range t.Security.List(tenant.SetMachineActions) {
					if a["machineId"] == m["id"] && a["status"] != "Failed" && a["status"] != "Cancelled" {
						switch a["type"] {
						case "Isolate":
							isolated = true
						case "Unisolate":
							isolated = false
						}
					}
				}
				if isolated == (typ == "Isolate") {
					conflict = "Machine is already isolated."
					if typ == "Unisolate" {
						conflict = "Machine is not isolated."
					}
					return nil
				}
			}
			now := mdeTime(t.Now())
			a := tenant.Props{"id": s.nextSecurityID(t), "type": typ, "scope": nilIfEmpty(scope),
				"requestor": p.AppID, "requestorComment": comment, "status": "Pending",
				"machineId": m["id"], "computerDnsName": m["computerDnsName"],
				"creationDateTimeUtc": now, "lastUpdateDateTimeUtc": now, "cancellationRequestor": nil,
				"cancellationComment": nil, "cancellationDateTimeUtc": nil, "errorHResult": 0,
				"title": nil, "relatedFileInfo": nil, "commands": []any{}, "externalId": nil, "requestSource": "PublicApi"}
			t.Security.Add(tenant.SetMachineActions, a)
			out = tenant.DeepCopy(a)
			return nil
		})
		switch {
		case !found:
			mdeError(w, http.StatusNotFound, "ResourceNotFound", "Machine "+r.PathValue("id")+" was not found.")
		case conflict != "":
			mdeError(w, http.StatusBadRequest, "ActiveRequestAlreadyExists", conflict)
		default:
			delete(out, "_seen")
			out["@odata.context"] = mdeContext(r, "MachineActions/$entity")
			writeJSON(w, http.StatusCreated, out)
		}
	}
}

func nilIfEmpty(s string) any {
	if s == "" {
		return nil
	}
	return s
}
