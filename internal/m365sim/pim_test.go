package m365sim

import (
	"bytes"
	"fmt"
	"net/http"
	"strings"
	"testing"
)

// TestCreateCalendar checks user-post-calendars: 201 with the calendar,
// listed afterwards, events can go into it, and a name the user has
// already (in any case) is 409 ErrorFolderExists.
func TestCreateCalendar(t *testing.T) {
	l := Start(t, Options{Users: 1, Seed: 31})
	c := newClient(t, l)
	uid := firstUser(t, c)
	r := c.do("POST", "/users/"+uid+"/calendars", map[string]any{"name": "Projects"})
	if r.status != http.StatusCreated {
		t.Fatalf("create calendar: %d %s", r.status, r.body)
	}
	cal := r.json(t)
	id, _ := cal["id"].(string)
	if id == "" || cal["name"] != "Projects" || cal["isDefaultCalendar"] != false || cal["canEdit"] != true {
		t.Fatalf("created calendar: %v", cal)
	}
	list, _ := c.all("/users/" + uid + "/calendars")
	if !listed(list, id) || len(list) != 2 {
		t.Fatalf("calendars after create: %d, new one listed %v", len(list), listed(list, id))
	}
	ev := c.do("POST", "/users/"+uid+"/calendars/"+id+"/events", map[string]any{"subject": "Kick-off",
		"start": map[string]any{"dateTime": "2026-01-05T09:00:00", "timeZone": "UTC"},
		"end":   map[string]any{"dateTime": "2026-01-05T10:00:00", "timeZone": "UTC"}})
	if ev.status != http.StatusCreated {
		t.Fatalf("create event in the new calendar: %d %s", ev.status, ev.body)
	}
	if evs, _ := c.all("/users/" + uid + "/calendars/" + id + "/events"); len(evs) != 1 {
		t.Errorf("new calendar lists %d events, want 1", len(evs))
	}
	for _, tc := range []struct {
		body       any
		status     int
		code       string
		calendarsN int
	}{
		{map[string]any{"name": "projects"}, http.StatusConflict, "ErrorFolderExists", 2},
		{map[string]any{"name": "Calendar"}, http.StatusConflict, "ErrorFolderExists", 2},
		{map[string]any{"color": "lightBlue"}, http.StatusBadRequest, "ErrorInvalidRequest", 2},
		{map[string]any{"name": "Holidays", "color": "lightGreen"}, http.StatusCreated, "", 3},
	} {
		r := c.do("POST", "/users/"+uid+"/calendars", tc.body)
		if r.status != tc.status || (tc.code != "" && r.errorCode(t) != tc.code) {
			t.Errorf("POST calendars %v: %d %s, want %d %s", tc.body, r.status, r.body, tc.status, tc.code)
		}
		if list, _ := c.all("/users/" + uid + "/calendars"); len(list) != tc.calendarsN {
			t.Errorf("after POST %v: %d calendars, want %d", tc.body, len(list), tc.calendarsN)
		}
	}
}

// listed reports whether items holds one with the given id.
func listed(items []map[string]any, id string) bool {
	_, found := ids(items)[id]
	return found
}

// TestCreateContactFolders checks user-post-contactfolders (below the
// default folder, or below a parentFolderId) and
// contactfolder-post-childfolders: 201 with parentFolderId set, listed by
// contactFolders and childFolders; a name the parent has already is 409
// ErrorFolderExists, the same name under another parent is fine, and an
// unknown parent is 404.
func TestCreateContactFolders(t *testing.T) {
	l := Start(t, Options{Users: 1, Seed: 32})
	c := newClient(t, l)
	uid := firstUser(t, c)
	base := "/users/" + uid + "/contactFolders"
	before, _ := c.all(base)
	if len(before) == 0 {
		t.Fatal("the generated user has no contact sub-folder")
	}
	def := before[0]["parentFolderId"].(string)

	create := func(path string, body map[string]any, want int) map[string]any {
		t.Helper()
		r := c.do("POST", path, body)
		if r.status != want {
			t.Fatalf("POST %s %v: %d %s, want %d", path, body, r.status, r.body, want)
		}
		if want == http.StatusConflict && r.errorCode(t) != "ErrorFolderExists" {
			t.Errorf("POST %s %v: code %q, want ErrorFolderExists", path, body, r.errorCode(t))
		}
		if want != http.StatusCreated {
			return nil
		}
		return r.json(t)
	}
	sup := create(base, map[string]any{"displayName": "Suppliers"}, http.StatusCreated)
	supID := sup["id"].(string)
	if sup["parentFolderId"] != def || sup["displayName"] != "Suppliers" {
		t.Errorf("top-level folder: %v, want parentFolderId %s", sup, def)
	}
	child := create(base+"/"+supID+"/childFolders", map[string]any{"displayName": "Archive"}, http.StatusCreated)
	if child["parentFolderId"] != supID {
		t.Errorf("child folder parentFolderId %v, want %s", child["parentFolderId"], supID)
	}
	// parentFolderId in the body of POST /contactFolders (the documented example).
	viaBody := create(base, map[string]any{"displayName": "Old", "parentFolderId": supID}, http.StatusCreated)
	if viaBody["parentFolderId"] != supID {
		t.Errorf("folder created with parentFolderId: parent %v, want %s", viaBody["parentFolderId"], supID)
	}
	create(base, map[string]any{"displayName": "suppliers"}, http.StatusConflict)
	create(base+"/"+supID+"/childFolders", map[string]any{"displayName": "ARCHIVE"}, http.StatusConflict)
	create(base+"/"+def+"/childFolders", map[string]any{"displayName": "Suppliers"}, http.StatusConflict)
	create(base, map[string]any{"displayName": "Archive"}, http.StatusCreated) // another parent
	create(base+"/AAMkAGCnotThere/childFolders", map[string]any{"displayName": "X"}, http.StatusNotFound)
	create(base, map[string]any{"displayName": ""}, http.StatusBadRequest)

	top, _ := c.all(base)
	if len(top) != len(before)+2 || !listed(top, supID) {
		t.Errorf("contactFolders lists %d folders, want %d with Suppliers", len(top), len(before)+2)
	}
	kids, _ := c.all(base + "/" + supID + "/childFolders")
	if len(kids) != 2 || !listed(kids, child["id"].(string)) || !listed(kids, viaBody["id"].(string)) {
		t.Errorf("childFolders of Suppliers: %v", kids)
	}
	r := c.do("POST", base+"/"+child["id"].(string)+"/contacts", map[string]any{"displayName": "Archived Supplier"})
	if r.status != http.StatusCreated || r.json(t)["parentFolderId"] != child["id"] {
		t.Fatalf("contact in the new folder: %d %s", r.status, r.body)
	}
}

// TestEventICalUID checks that the service sets a created event's iCalUId
// (the event resource marks it read-only): a client's value is not taken,
// neither on create nor on update, and each event gets its own.
func TestEventICalUID(t *testing.T) {
	l := Start(t, Options{Users: 1, Seed: 33})
	c := newClient(t, l)
	uid := firstUser(t, c)
	const clientUID = "client-chosen-uid@example.org"
	seen := map[string]bool{}
	var first string
	for i := range 3 {
		r := c.do("POST", "/users/"+uid+"/events", map[string]any{"subject": fmt.Sprint("Event ", i), "iCalUId": clientUID,
			"start": map[string]any{"dateTime": "2026-02-02T09:00:00", "timeZone": "UTC"},
			"end":   map[string]any{"dateTime": "2026-02-02T09:30:00", "timeZone": "UTC"}})
		if r.status != http.StatusCreated {
			t.Fatalf("create event: %d %s", r.status, r.body)
		}
		ev := r.json(t)
		got, _ := ev["iCalUId"].(string)
		if got == "" || got == clientUID || seen[got] {
			t.Fatalf("event %d: iCalUId %q (client sent %q, seen before %v)", i, got, clientUID, seen[got])
		}
		seen[got] = true
		if stored := c.get("/users/" + uid + "/events/" + ev["id"].(string))["iCalUId"]; stored != got {
			t.Errorf("GET event: iCalUId %v, created with %s", stored, got)
		}
		if i == 0 {
			first = ev["id"].(string)
		}
	}
	r := c.do("PATCH", "/users/"+uid+"/events/"+first, map[string]any{"iCalUId": clientUID, "subject": "Renamed"})
	if r.status != http.StatusOK {
		t.Fatalf("update event: %d %s", r.status, r.body)
	}
	if ev := r.json(t); ev["iCalUId"] == clientUID || ev["subject"] != "Renamed" {
		t.Errorf("after PATCH: iCalUId %v, subject %v", ev["iCalUId"], ev["subject"])
	}
}

// TestAttachmentUploadSessions uploads a 4 MB file through
// attachment-createuploadsession to a message and to an event: 201 with an
// uploadUrl, 200 per fragment, 201 with a Location naming the attachment
// (".../Messages('…')/Attachments('…')", ".../Events('…')/Attachments('…')"),
// whose $value is the file. An unknown item is 404.
func TestAttachmentUploadSessions(t *testing.T) {
	l := Start(t, Options{Users: 1, Seed: 34})
	c := newClient(t, l)
	uid := firstUser(t, c)
	data := bytes.Repeat([]byte("0123456789abcdef"), 4<<20/16+5)
	for _, tc := range []struct{ kind, create, segment string }{
		{"messages", "/users/" + uid + "/mailFolders/inbox/messages", "Messages"},
		{"events", "/users/" + uid + "/events", "Events"},
	} {
		t.Run(tc.kind, func(t *testing.T) {
			item := c.do("POST", tc.create, map[string]any{"subject": "large attachment",
				"start": map[string]any{"dateTime": "2026-03-02T09:00:00", "timeZone": "UTC"},
				"end":   map[string]any{"dateTime": "2026-03-02T10:00:00", "timeZone": "UTC"}}).json(t)
			itemID := item["id"].(string)
			path := "/users/" + uid + "/" + tc.kind + "/" + itemID + "/attachments"
			body := map[string]any{"AttachmentItem": map[string]any{"attachmentType": "file", "name": "big.bin",
				"size": len(data), "contentType": "application/octet-stream"}}
			if r := c.do("POST", "/users/"+uid+"/"+tc.kind+"/AAMkADnotThere/attachments/createUploadSession", body); r.status != http.StatusNotFound {
				t.Errorf("session for an unknown item: %d %s", r.status, r.body)
			}
			r := c.do("POST", path+"/createUploadSession", body)
			if r.status != http.StatusCreated {
				t.Fatalf("createUploadSession: %d %s", r.status, r.body)
			}
			upload, _ := r.json(t)["uploadUrl"].(string)
			const frag = 3 << 20
			var last *http.Response
			for off := 0; off < len(data); off += frag {
				end := min(off+frag, len(data))
				req, _ := http.NewRequest("PUT", upload, bytes.NewReader(data[off:end]))
				req.Header.Set("Content-Range", fmt.Sprintf("bytes %d-%d/%d", off, end-1, len(data)))
				resp, err := c.http.Do(req) // no Authorization: the URL is the credential
				if err != nil {
					t.Fatal(err)
				}
				resp.Body.Close()
				want := http.StatusOK
				if end == len(data) {
					want = http.StatusCreated
				}
				if resp.StatusCode != want {
					t.Fatalf("PUT bytes %d-%d: %d, want %d", off, end-1, resp.StatusCode, want)
				}
				last = resp
			}
			loc := last.Header.Get("Location")
			marker := "/" + tc.segment + "('" + itemID + "')/Attachments('"
			i := strings.Index(loc, marker)
			if i < 0 {
				t.Fatalf("Location %q does not name the attachment of %s", loc, itemID)
			}
			attID := strings.TrimSuffix(loc[i+len(marker):], "')")
			v := c.do("GET", path+"/"+attID+"/$value", nil)
			if v.status != http.StatusOK || !bytes.Equal(v.body, data) {
				t.Fatalf("$value of the uploaded attachment: %d, %d bytes (want %d)", v.status, len(v.body), len(data))
			}
			if got := c.get("/users/" + uid + "/" + tc.kind + "/" + itemID)["hasAttachments"]; got != true {
				t.Errorf("hasAttachments %v after the upload", got)
			}
		})
	}
}
