package tenant

import (
	"bytes"
	"io"
	"path"
	"regexp"
	"runtime"
	"slices"
	"strings"
	"testing"
	"time"
	"unicode/utf8"
)

func TestGenerateDeterministic(t *testing.T) {
	base := digest(t, mustGenerate(t, SmallGenOptions(7)))
	if again := digest(t, mustGenerate(t, SmallGenOptions(7))); again != base {
		t.Fatalf("same seed, different tenants: %s vs %s", base, again)
	}
	for _, tc := range []struct {
		name string
		o    GenOptions
	}{
		{"other-seed", SmallGenOptions(8)},
		{"more-users", func() GenOptions { o := SmallGenOptions(7); o.Users = 6; return o }()},
		{"other-now", func() GenOptions { o := SmallGenOptions(7); o.Now = defaultGenNow.AddDate(0, 0, 1); return o }()},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if digest(t, mustGenerate(t, tc.o)) == base {
				t.Fatal("different options gave an identical tenant")
			}
		})
	}
}

// TestGenerateIgnoresWallClock checks that the default anchor is fixed and
// the default clock is deterministic.
func TestGenerateIgnoresWallClock(t *testing.T) {
	o := SmallGenOptions(3)
	o.MessagesPerUser, o.FilesPerUser, o.EventsPerUser, o.ContactsPerUser = -1, -1, -1, -1
	a, b := mustGenerate(t, o), mustGenerate(t, o)
	if a.Now() != b.Now() || a.Now().Before(defaultGenNow) || a.Now().After(defaultGenNow.Add(time.Minute)) {
		t.Fatalf("clocks: %v, %v; want the same value just after %v", a.Now(), b.Now(), defaultGenNow)
	}
	for _, u := range a.Users {
		if u.Mailbox == nil {
			continue
		}
		if n := len(u.Mailbox.Messages); n != 0 {
			t.Fatalf("%s has %d messages with MessagesPerUser < 0", u.UPN, n)
		}
	}
}

func TestGenerateJSONShapes(t *testing.T) {
	tn := mustGenerate(t, SmallGenOptions(11))
	check := func(name string, p Props) {
		t.Helper()
		if err := checkJSONValue(name, p); err != nil {
			t.Error(err)
		}
	}
	check("org", tn.Org)
	for _, d := range tn.Domains {
		check("domain", d)
	}
	for _, s := range tn.SKUs {
		check("sku", s)
	}
	for _, g := range tn.Groups {
		check("group", g.Props)
	}
	for _, u := range tn.Users {
		check("user "+u.UPN, u.Props)
		if u.Mailbox == nil {
			continue
		}
		for _, m := range sortedMessages(u.Mailbox) {
			check("message", m.Props)
			for _, a := range m.Attachments {
				check("attachment", a.Props)
			}
		}
		for _, e := range u.Mailbox.Events {
			check("event", e.Props)
		}
		for _, c := range u.Mailbox.Contacts {
			check("contact", c.Props)
		}
		for _, it := range u.Drive.Items {
			check("driveItem "+it.Name, it.Props)
		}
	}
}

// graphKeys lists properties each generated resource must carry, spelled
// as Graph spells them.
var graphKeys = map[string][]string{
	"organization":  {"id", "displayName", "verifiedDomains", "assignedPlans", "createdDateTime", "tenantType"},
	"domain":        {"id", "isDefault", "isInitial", "isVerified", "authenticationType", "supportedServices"},
	"subscribedSku": {"id", "skuId", "skuPartNumber", "consumedUnits", "prepaidUnits", "servicePlans", "capabilityStatus", "appliesTo"},
	"user": {"id", "userPrincipalName", "displayName", "mail", "jobTitle", "department", "usageLocation",
		"assignedLicenses", "accountEnabled", "createdDateTime", "userType"},
	"group": {"id", "displayName", "groupTypes", "mailEnabled", "securityEnabled", "mailNickname"},
	"message": {"subject", "body", "bodyPreview", "from", "toRecipients", "ccRecipients", "sentDateTime",
		"receivedDateTime", "internetMessageId", "conversationId", "isRead", "isDraft", "importance", "flag", "categories", "hasAttachments"},
	"fileAttachment": {"@odata.type", "name", "contentType", "size", "isInline", "contentId", "lastModifiedDateTime"},
	"event": {"subject", "start", "end", "attendees", "organizer", "recurrence", "iCalUId", "isAllDay",
		"location", "type", "responseStatus", "hasAttachments"},
	"contact":   {"displayName", "givenName", "surname", "emailAddresses", "businessPhones", "companyName"},
	"driveItem": {"createdDateTime", "lastModifiedDateTime", "fileSystemInfo", "createdBy", "lastModifiedBy", "file"},
}

func TestGenerateGraphProperties(t *testing.T) {
	tn := mustGenerate(t, SmallGenOptions(12))
	has := func(kind string, p Props) {
		t.Helper()
		for _, k := range graphKeys[kind] {
			if _, ok := p[k]; !ok {
				t.Errorf("%s lacks %q", kind, k)
			}
		}
	}
	has("organization", tn.Org)
	for _, d := range tn.Domains {
		has("domain", d)
	}
	for _, s := range tn.SKUs {
		has("subscribedSku", s)
	}
	for _, g := range tn.Groups {
		has("group", g.Props)
	}
	for _, u := range members(tn) {
		has("user", u.Props)
		for _, m := range sortedMessages(u.Mailbox) {
			has("message", m.Props)
			for _, a := range m.Attachments {
				has("fileAttachment", a.Props)
			}
		}
		for _, e := range u.Mailbox.Events {
			has("event", e.Props)
		}
		for _, c := range u.Mailbox.Contacts {
			has("contact", c.Props)
		}
		for _, it := range u.Drive.Items {
			if !it.Folder {
				has("driveItem", it.Props)
			}
		}
	}
}

func TestGenerateDirectory(t *testing.T) {
	tn := mustGenerate(t, GenOptions{Seed: 5, Users: 20, MessagesPerUser: -1, FilesPerUser: -1, EventsPerUser: -1, ContactsPerUser: -1})
	var names []string
	licensed := map[string]int{}
	upnChars := regexp.MustCompile(`^[A-Za-z0-9'._\-!#^~]+@[a-z0-9.\-]+$`)
	guests, disabled := 0, 0
	for _, u := range tn.Users {
		names = append(names, u.Props["displayName"].(string))
		if u.Props["userType"] == "Guest" {
			guests++
			if u.Mailbox != nil || u.Drive != nil {
				t.Errorf("guest %s has a mailbox or drive", u.UPN)
			}
			continue
		}
		if !upnChars.MatchString(u.UPN) {
			t.Errorf("UPN %q has characters Entra ID refuses", u.UPN)
		}
		if u.Props["accountEnabled"] == false {
			disabled++
		}
		for _, l := range u.Props["assignedLicenses"].([]any) {
			licensed[l.(Props)["skuId"].(string)]++
		}
		if tn.Drives[u.Drive.ID] != u.Drive {
			t.Errorf("drive of %s is not registered in Tenant.Drives", u.UPN)
		}
	}
	if guests != 1 || disabled == 0 {
		t.Errorf("guests %d, disabled %d; want 1 guest and some disabled members", guests, disabled)
	}
	all := strings.Join(names, "|")
	for _, want := range []string{"O'Brien", "王芳", "Zoë", "محمد", "Łucja"} {
		if !strings.Contains(all, want) {
			t.Errorf("no user name contains %q", want)
		}
	}
	for _, s := range tn.SKUs {
		id, used := s["skuId"].(string), s["consumedUnits"].(float64)
		if int(used) != licensed[id] || used > s["prepaidUnits"].(Props)["enabled"].(float64) {
			t.Errorf("sku %s: consumedUnits %v, %d users licensed, prepaid %v", s["skuPartNumber"], used, licensed[id], s["prepaidUnits"])
		}
	}
	if len(tn.SKUs) != 2 || tn.SKUs[0]["skuPartNumber"] != "ENTERPRISEPACK" || tn.SKUs[1]["skuId"] != "06ebc4ee-1bb5-47dd-8120-11324bc54e06" {
		t.Errorf("skus: %v", tn.SKUs)
	}
	if tn.Org["id"] != tn.ID || len(tn.Org["verifiedDomains"].([]any)) != len(tn.Domains) {
		t.Errorf("organization does not match the tenant: %v", tn.Org)
	}
	unified, security := 0, 0
	for _, g := range tn.Groups {
		if len(g.Members) == 0 {
			t.Errorf("group %v has no members", g.Props["displayName"])
		}
		if slices.Contains(g.Props["groupTypes"].([]any), any("Unified")) {
			unified++
		} else if g.Props["securityEnabled"] == true {
			security++
		}
	}
	if unified == 0 || security == 0 {
		t.Errorf("%d Microsoft 365 and %d security groups; want both kinds", unified, security)
	}
}

func TestGenerateMail(t *testing.T) {
	tn := mustGenerate(t, GenOptions{Seed: 21, Users: 6, MessagesPerUser: 60, FilesPerUser: -1, EventsPerUser: -1, ContactsPerUser: -1})
	byMsgID := map[string][]*Message{}
	conv := map[string]int{}
	blobs := map[Generated]map[*Mailbox]bool{}
	var sizes []int
	prefixes := map[string]bool{}
	folderNames := ""
	for _, u := range members(tn) {
		mb := u.Mailbox
		unread := map[string]int{}
		count := map[string]int{}
		for _, m := range sortedMessages(mb) {
			id := m.Props["internetMessageId"].(string)
			byMsgID[id] = append(byMsgID[id], m)
			conv[m.Props["conversationId"].(string)]++
			subj := m.Props["subject"].(string)
			if i := strings.Index(subj, ": "); i > 0 && i <= 3 {
				prefixes[subj[:i]] = true
			}
			count[m.FolderID]++
			if m.Props["isRead"] == false {
				unread[m.FolderID]++
			}
			for _, a := range m.Attachments {
				if g, ok := a.Content.(Generated); ok && !a.Props["isInline"].(bool) {
					if blobs[g] == nil {
						blobs[g] = map[*Mailbox]bool{}
					}
					blobs[g][mb] = true
				}
			}
			var c countingWriter
			if err := RenderMIME(&c, m); err != nil {
				t.Fatal(err)
			}
			sizes = append(sizes, int(c.n))
		}
		for _, f := range mb.FolderList {
			folderNames += f.Props["displayName"].(string) + "|"
			if f.Count != count[f.ID] || f.Unread != unread[f.ID] {
				t.Errorf("folder %v: Count %d Unread %d, messages say %d and %d",
					f.Props["displayName"], f.Count, f.Unread, count[f.ID], unread[f.ID])
			}
		}
	}
	if !prefixes["RE"] || !prefixes["FW"] {
		t.Errorf("subject prefixes %v; want RE and FW", prefixes)
	}
	threads, copies := 0, 0
	for _, n := range conv {
		if n > 1 {
			threads++
		}
	}
	for _, ms := range byMsgID {
		if len(ms) > 1 {
			copies++
		}
	}
	shared := 0
	for _, boxes := range blobs {
		if len(boxes) > 1 {
			shared++
		}
	}
	if threads == 0 || copies == 0 || shared == 0 {
		t.Errorf("%d threads, %d messages in several mailboxes, %d attachment blobs in several mailboxes; want all > 0", threads, copies, shared)
	}
	for _, want := range []string{"/", ".", "✈️", "résumé"} {
		if !strings.Contains(folderNames, want) {
			t.Errorf("no folder name contains %q", want)
		}
	}
	slices.Sort(sizes)
	median, top := sizes[len(sizes)/2], sizes[len(sizes)-1]
	if median < 8<<10 || median > 100<<10 || top < 500<<10 {
		t.Errorf("MIME sizes: median %d, max %d; want a median of tens of KB and a tail past 500 KB", median, top)
	}
	if n := len(sizes); n < 6*30 || n > 6*200 {
		t.Errorf("%d messages for 6 users at 60 per user", n)
	}
}

func TestGenerateCalendarAndContacts(t *testing.T) {
	tn := mustGenerate(t, GenOptions{Seed: 9, Users: 5, MessagesPerUser: -1, FilesPerUser: -1, EventsPerUser: 20, ContactsPerUser: 20})
	var recurring, withAtts, withAttendees, inSub int
	ical := map[string]int{}
	for _, u := range members(tn) {
		for _, e := range u.Mailbox.Events {
			if rec, ok := e.Props["recurrence"].(Props); ok {
				recurring++
				if rec["pattern"].(Props)["type"] == "" || e.Props["type"] != "seriesMaster" {
					t.Errorf("recurring event %v", e.Props)
				}
			}
			if len(e.Attachments) > 0 {
				withAtts++
			}
			if len(e.Props["attendees"].([]any)) > 0 {
				withAttendees++
			}
			ical[e.Props["iCalUId"].(string)]++
		}
		for _, c := range u.Mailbox.Contacts {
			if f := u.Mailbox.ContactFolders[c.FolderID]; !f.Default {
				inSub++
			}
		}
	}
	shared := 0
	for _, n := range ical {
		if n > 1 {
			shared++
		}
	}
	if recurring == 0 || withAtts == 0 || withAttendees == 0 || shared == 0 || inSub == 0 {
		t.Errorf("recurring %d, with attachments %d, with attendees %d, meetings in several calendars %d, contacts in a sub-folder %d; want all > 0",
			recurring, withAtts, withAttendees, shared, inSub)
	}
}

// forbiddenInNames are characters OneDrive refuses in names.
const forbiddenInNames = `"*:<>?/\|`

func TestGenerateDrive(t *testing.T) {
	tn := mustGenerate(t, GenOptions{Seed: 4, Users: 3, MessagesPerUser: -1, FilesPerUser: 80, MaxFileSize: 8 << 20})
	maxDepth, maxPath, versioned := 0, 0, 0
	exts := map[string]bool{}
	var names strings.Builder
	for _, u := range members(tn) {
		d := u.Drive
		walkDrive(d, d.Item("root"), func(it *DriveItem) {
			if it.ID == d.RootID {
				return
			}
			p := d.Path(it)
			maxDepth = max(maxDepth, strings.Count(p, "/"))
			maxPath = max(maxPath, utf8.RuneCountInString(p))
			names.WriteString(it.Name + "|")
			if strings.ContainsAny(it.Name, forbiddenInNames) || strings.TrimSpace(it.Name) != it.Name || strings.HasSuffix(it.Name, ".") {
				t.Errorf("invalid OneDrive name %q", it.Name)
			}
			if sib := d.Child(d.Items[it.ParentID], it.Name); sib != it {
				t.Errorf("%q is not unique in its folder", p)
			}
			if it.Folder {
				return
			}
			exts[path.Ext(it.Name)] = true
			if it.Content.Size() > 8<<20 {
				t.Errorf("%s: %d bytes, above MaxFileSize", p, it.Content.Size())
			}
			if len(it.Versions) > 0 {
				versioned++
			}
			file := it.Props["file"].(Props)
			want, err := QuickXorHashBlob(it.Content)
			if err != nil {
				t.Fatal(err)
			}
			if got := file["hashes"].(Props)["quickXorHash"]; got != want {
				t.Errorf("%s: quickXorHash %v, content hashes to %v", p, got, want)
			}
		})
	}
	if maxDepth <= 10 || maxPath > maxPathLen || maxPath < maxPathLen-10 {
		t.Errorf("deepest path %d levels, longest %d characters; want > 10 levels and close to %d", maxDepth, maxPath, maxPathLen)
	}
	if versioned == 0 {
		t.Error("no file has earlier versions")
	}
	for _, ft := range fileTypes {
		if !exts["."+ft.ext] {
			t.Errorf("no .%s file", ft.ext)
		}
	}
	for _, want := range []string{"#", "%", " ", "✈️", "報告書"} {
		if !strings.Contains(names.String(), want) {
			t.Errorf("no drive item name contains %q", want)
		}
	}
}

// TestLargeFileReadAt generates a tenant with a 10 GB file and reads it at
// offsets near its end without the file ever being held in memory.
func TestLargeFileReadAt(t *testing.T) {
	if testing.Short() {
		t.Skip("hashes 10 GB at generation")
	}
	const size = 10_000_000_000
	o := SmallGenOptions(2)
	o.MessagesPerUser, o.EventsPerUser, o.ContactsPerUser, o.FilesPerUser = -1, -1, -1, -1
	o.LargeFiles, o.LargeFileSize = 1, size
	tn := mustGenerate(t, o)
	var big *DriveItem
	for _, it := range members(tn)[0].Drive.Items {
		if !it.Folder && it.Content.Size() == size {
			big = it
		}
	}
	if big == nil {
		t.Fatal("no 10 GB file generated")
	}
	if _, ok := big.Content.(Generated); !ok {
		t.Fatalf("large content is %T, want a Generated blob", big.Content)
	}
	buf := make([]byte, 64<<10)
	for _, tc := range []struct {
		off  int64
		want int
		err  error
	}{
		{size / 2, len(buf), nil},
		{size - 1000, 1000, io.EOF},
		{size, 0, io.EOF},
		{1<<33 + 12345, len(buf), nil},
	} {
		n, err := big.Content.ReadAt(buf, tc.off)
		if n != tc.want || err != tc.err {
			t.Errorf("ReadAt(%d): %d, %v; want %d, %v", tc.off, n, err, tc.want, tc.err)
		}
	}
	first := append([]byte(nil), buf[:4096]...)
	big.Content.ReadAt(buf[:4096], 1<<33+12345)
	if !bytes.Equal(first, buf[:4096]) {
		t.Error("two reads at the same offset differ")
	}
	// Reading allocates per 4 KiB block at most a few bytes of generator
	// state, never the data: 64 reads of 64 KiB must allocate far less than
	// the 4 MiB they return.
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	for i := int64(0); i < 64; i++ {
		big.Content.ReadAt(buf, 7_000_000_000+i*1_000_003)
	}
	runtime.ReadMemStats(&after)
	if alloc := after.TotalAlloc - before.TotalAlloc; alloc > 256<<10 {
		t.Errorf("64 reads of 64 KiB allocated %d bytes", alloc)
	}
}

func TestSharedFilesIdenticalAcrossDrives(t *testing.T) {
	tn := mustGenerate(t, GenOptions{Seed: 31, Users: 8, MessagesPerUser: -1, FilesPerUser: 60, MaxFileSize: 4 << 20})
	drives := map[Generated]map[*Drive]bool{}
	for _, u := range members(tn) {
		for _, it := range u.Drive.Items {
			if g, ok := it.Content.(Generated); ok {
				if drives[g] == nil {
					drives[g] = map[*Drive]bool{}
				}
				drives[g][u.Drive] = true
			}
		}
	}
	shared := 0
	for _, ds := range drives {
		if len(ds) > 1 {
			shared++
		}
	}
	if shared == 0 {
		t.Error("no file content is shared between drives")
	}
}
