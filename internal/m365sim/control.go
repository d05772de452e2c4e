package m365sim

import (
	"encoding/json"
	"errors"
	"net/http"
	"strings"

	"github.com/safeguard365/safeguard365/internal/m365sim/limits"
	"github.com/safeguard365/safeguard365/internal/m365sim/tenant"
)

// control serves the emulator's own API under /_sim/. It is not part of
// Graph and takes no token: it is meant for tests, benchmarks and the admin
// running `sg365 sim serve` on loopback.
//
//	GET  /_sim/stats            request counters (per app, class, endpoint)
//	POST /_sim/stats/reset      zero the counters
//	GET  /_sim/faults           current fault configuration
//	PUT  /_sim/faults           replace it (limits.FaultConfig as JSON)
//	POST /_sim/faults/fail-next {"path":"/v1.0/users","status":503,"count":2}
//	POST /_sim/expire-delta     {"container":"<folder or drive id>"}
//	POST /_sim/expire-tokens    every token issued so far fails as expired
//	GET  /_sim/limits           throttling configuration
//	PUT  /_sim/limits           replace it (limits.Config as JSON)
//	POST /_sim/mutate           run the activity mutator (tenant.MutateOptions;
//	                            with only Seed/Now/Period, a typical day's activity)
//	POST /_sim/ransomware       {"user":"upn","files":50}
//	POST /_sim/delete-mail-folder {"user":"upn","folder":"id or empty"}: a user
//	                            deletes a folder and empties Deleted Items
//	POST /_sim/config-drift     change the tenant's configuration (ConfigDrift;
//	                            {} for a typical drift); answers the changes
//	GET  /_sim/tenant           summary of the tenant (users, item counts)
//	POST /_sim/snapshot         keep an in-memory copy of the tenant; {"sequence":n}
//	POST /_sim/restore-snapshot replace the tenant with a copy of the latest
//	                            snapshot; {"sequence":n}, 409 before any snapshot
//	POST /_sim/reset            regenerate the tenant from its seed; answers the
//	                            summary GET /_sim/tenant gives
//
// After a restore, delta links issued up to the snapshot keep working and
// later ones get 410 Gone; after a reset, every earlier delta link gets 410
// (see tenant.Succeed). Requests already running finish on the tenant they
// started with.
func (s *Server) control(w http.ResponseWriter, r *http.Request) {
	route := r.Method + " " + strings.TrimPrefix(r.URL.Path, "/_sim")
	switch route {
	case "GET /stats":
		writeJSON(w, http.StatusOK, s.counters.Snapshot())
	case "POST /stats/reset":
		s.counters.Reset()
		w.WriteHeader(http.StatusNoContent)
	case "GET /faults":
		writeJSON(w, http.StatusOK, s.faults.Config())
	case "PUT /faults":
		var fc limits.FaultConfig
		if !decodeControl(w, r, &fc) {
			return
		}
		if err := s.faults.SetConfig(fc); err != nil {
			controlError(w, http.StatusBadRequest, err.Error())
			return
		}
		w.WriteHeader(http.StatusNoContent)
	case "POST /faults/fail-next":
		var in struct {
			Path   string `json:"path"`
			Status int    `json:"status"`
			Count  int    `json:"count"`
		}
		if !decodeControl(w, r, &in) {
			return
		}
		if err := s.faults.FailNext(in.Path, in.Status, in.Count); err != nil {
			controlError(w, http.StatusBadRequest, err.Error())
			return
		}
		w.WriteHeader(http.StatusNoContent)
	case "POST /expire-delta":
		var in struct {
			Container string `json:"container"`
		}
		if !decodeControl(w, r, &in) {
			return
		}
		if err := s.faults.ExpireDelta(in.Container); err != nil {
			controlError(w, http.StatusBadRequest, err.Error())
			return
		}
		w.WriteHeader(http.StatusNoContent)
	case "POST /expire-tokens":
		s.idp.ExpireTokens()
		w.WriteHeader(http.StatusNoContent)
	case "GET /limits":
		writeJSON(w, http.StatusOK, s.limits.Config())
	case "PUT /limits":
		cfg := s.limits.Config()
		if !decodeControl(w, r, &cfg) {
			return
		}
		if err := s.limits.SetConfig(cfg); err != nil {
			controlError(w, http.StatusBadRequest, err.Error())
			return
		}
		w.WriteHeader(http.StatusNoContent)
	case "POST /mutate":
		var opts tenant.MutateOptions
		if !decodeControl(w, r, &opts) {
			return
		}
		if opts == (tenant.MutateOptions{Seed: opts.Seed, Now: opts.Now, Period: opts.Period}) {
			// No counts given: a typical day's activity for this tenant.
			def := tenant.DefaultMutateOptions(opts.Seed, len(s.Summary().Users))
			def.Now, def.Period = opts.Now, opts.Period
			opts = def
		}
		rep, err := tenant.Mutate(s.t(r), opts)
		if err != nil {
			controlError(w, http.StatusBadRequest, err.Error())
			return
		}
		writeJSON(w, http.StatusOK, rep)
	case "POST /ransomware":
		var in struct {
			User string `json:"user"`
			tenant.RansomwareOptions
		}
		if !decodeControl(w, r, &in) {
			return
		}
		n, err := tenant.Ransomware(s.t(r), in.User, in.RansomwareOptions)
		if err != nil {
			controlError(w, http.StatusBadRequest, err.Error())
			return
		}
		writeJSON(w, http.StatusOK, map[string]any{"files": n})
	case "POST /delete-mail-folder":
		var in struct {
			User   string `json:"user"`
			Folder string `json:"folder"` // id; "" picks the largest user folder
		}
		if !decodeControl(w, r, &in) {
			return
		}
		d, err := tenant.DeleteMailFolder(s.t(r), in.User, in.Folder)
		if err != nil {
			controlError(w, http.StatusBadRequest, err.Error())
			return
		}
		writeJSON(w, http.StatusOK, d)
	case "POST /config-drift":
		s.configDrift(w, r)
	case "GET /tenant":
		writeJSON(w, http.StatusOK, s.Summary())
	case "POST /snapshot":
		seq, err := s.Snapshot()
		if err != nil {
			controlError(w, http.StatusInternalServerError, err.Error())
			return
		}
		writeJSON(w, http.StatusOK, map[string]any{"sequence": seq})
	case "POST /restore-snapshot":
		seq, err := s.RestoreSnapshot()
		switch {
		case errors.Is(err, ErrNoSnapshot):
			controlError(w, http.StatusConflict, err.Error())
		case err != nil:
			controlError(w, http.StatusInternalServerError, err.Error())
		default:
			writeJSON(w, http.StatusOK, map[string]any{"sequence": seq})
		}
	case "POST /reset":
		if err := s.Reset(); err != nil {
			controlError(w, http.StatusInternalServerError, err.Error())
			return
		}
		writeJSON(w, http.StatusOK, s.Summary())
	default:
		controlError(w, http.StatusNotFound, "unknown control endpoint "+route+"; see the m365sim package documentation")
	}
}

func decodeControl(w http.ResponseWriter, r *http.Request, v any) bool {
	dec := json.NewDecoder(r.Body)
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		controlError(w, http.StatusBadRequest, "read control request: "+err.Error())
		return false
	}
	return true
}

func controlError(w http.ResponseWriter, status int, msg string) {
	writeJSON(w, status, map[string]any{"error": msg})
}

// UserSummary counts one user's data.
type UserSummary struct {
	ID, UPN, DisplayName string
	Folders, Messages    int
	Events, Contacts     int
	Files, DriveFolders  int
	DriveBytes           int64
}

// Summary describes the tenant's content, for `sg365 sim serve` and tests.
type Summary struct {
	TenantID, Domain string
	Seed             uint64 // the generator seed of the tenant
	Sequence         int64  // the tenant's change sequence number
	Users            []UserSummary
}

// Summary counts the tenant's content.
func (s *Server) Summary() Summary {
	var out Summary
	t := s.cur.Load()
	t.Read(func() error {
		out.TenantID, out.Domain, out.Seed, out.Sequence = t.ID, t.DefaultDomain, t.Seed, t.Seq()
		for _, u := range t.Users {
			if u.Deleted {
				continue
			}
			us := UserSummary{ID: u.ID, UPN: u.UPN}
			us.DisplayName, _ = u.Props["displayName"].(string)
			if mb := u.Mailbox; mb != nil {
				for _, f := range mb.FolderList {
					if !f.Deleted {
						us.Folders++
						us.Messages += f.Count
					}
				}
				us.Events, us.Contacts = len(mb.Events), len(mb.Contacts)
			}
			if d := u.Drive; d != nil {
				for _, it := range d.Items {
					switch {
					case it.Deleted:
					case it.Folder:
						us.DriveFolders++
					default:
						us.Files++
						us.DriveBytes += it.Content.Size()
					}
				}
			}
			out.Users = append(out.Users, us)
		}
		return nil
	})
	return out
}
