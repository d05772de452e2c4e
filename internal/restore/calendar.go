package restore

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
	"sync"
	"time"

	"github.com/safeguard365/safeguard365/internal/dataguard"
	"github.com/safeguard365/safeguard365/internal/graph"
)

// calendars are the containers of a calendar snapshot, by name.
var calendars = containerKind[dataguard.CalendarRef, dataguard.EventRef]{
	name: "calendar", containers: (*dataguard.View).Calendars, items: (*dataguard.View).Events,
	ref:    func(c dataguard.CalendarRef) (string, string) { return c.ID, c.Name },
	itemID: func(e dataguard.EventRef) string { return e.ID },
}

// calendarDest is where a calendar snapshot goes: calendars are flat, so
// Request.Folder names the one calendar everything is restored into; by
// default each calendar goes to the target's calendar of the same name
// (the default calendar to the default calendar), for another user too.
func calendarDest(req Request, _ *dataguard.View) []string {
	if name := strings.Join(splitPath(req.Folder), "/"); name != "" {
		return []string{name}
	}
	return nil
}

// eventProps are the event properties a create request carries as they
// were backed up (user-post-events, event-update's writable properties).
// Left out on purpose: attendees and organizer (Graph sends a meeting
// request to every attendee of a created event; they are kept in
// propAttendees instead), isOnlineMeeting and onlineMeetingProvider
// (Exchange would create a new Teams meeting; the join link is in the
// body), and the read-only ones (iCalUId, isOrganizer, responseStatus,
// seriesMasterId, type, change tracking). recurrence is added for series
// masters only.
var eventProps = []string{"subject", "body", "start", "end", "isAllDay", "location", "locations", "importance",
	"sensitivity", "showAs", "categories", "isReminderOn", "reminderMinutesBeforeStart", "responseRequested",
	"allowNewTimeProposals", "hideAttendees"}

// propAttendees is a named MAPI string property in SafeGuard365's own
// property set that holds the backed-up organizer and attendees as JSON,
// so that they are kept with the restored event without Graph inviting
// anyone.
const propAttendees = "String {8d1bd1a5-3c36-4d4c-9a7e-2f6a0c5e7b31} Name SafeGuard365.Attendees"

// maxAttendeesProp caps propAttendees: Exchange keeps larger string
// properties only as streams, which a create request may refuse. A meeting
// with more attendees than fit keeps the first ones and their total.
const maxAttendeesProp = 30_000

// eventMeta are the stored event properties the restore itself reads.
type eventMeta struct {
	Subject string                  `json:"subject"`
	Start   *graph.DateTimeTimeZone `json:"start"`
	ICalUID string                  `json:"iCalUId"`
	Type    string                  `json:"type"`
}

// eventKey is the collision key of an event: its subject and start.
func eventKey(subject string, start *graph.DateTimeTimeZone) string {
	return subject + "\x00" + normStart(start)
}

// normStart renders a dateTimeTimeZone as a UTC time to the minute when the
// zone is UTC or a known IANA zone, and as it is otherwise (Windows zone
// names: both sides come from Graph in the same form).
func normStart(s *graph.DateTimeTimeZone) string {
	if s == nil {
		return ""
	}
	var t time.Time
	var err error
	for _, layout := range []string{"2006-01-02T15:04:05.9999999", time.RFC3339Nano} {
		if t, err = time.Parse(layout, s.DateTime); err == nil {
			break
		}
	}
	if err != nil {
		return s.DateTime + "@" + s.TimeZone
	}
	switch tz := strings.TrimSpace(s.TimeZone); {
	case tz == "" || strings.EqualFold(tz, "UTC") || strings.EqualFold(tz, "Etc/UTC"):
	default:
		loc, err := time.LoadLocation(tz)
		if err != nil {
			return t.Format("2006-01-02T15:04") + "@" + tz
		}
		t = time.Date(t.Year(), t.Month(), t.Day(), t.Hour(), t.Minute(), t.Second(), 0, loc)
	}
	return t.UTC().Format("2006-01-02T15:04Z")
}

// restoreCalendar restores a calendar snapshot: each selected calendar's
// events go to the target calendar of the same name (the default one to
// the default one), found or created, ItemWorkers at a time (see
// restoreItems).
func restoreCalendar(ctx context.Context, j *job) error {
	cr := &calendarRestorer{job: j, user: j.sum.TargetID, byName: map[string]*calendarNode{}}
	if err := cr.listCalendars(ctx); err != nil {
		return err
	}
	// A calendar selected by path, or by its id among the items, brings all
	// its events.
	selected := func(cal dataguard.CalendarRef, id string) bool {
		return j.selectItem(cal.ID, cal.Name) || j.selectItem(id, cal.Name)
	}
	return restoreItems(ctx, j, calendars, selected, cr)
}

// calendarRestorer restores the events of one calendar snapshot.
type calendarRestorer struct {
	job    *job
	user   string
	def    *calendarNode
	byName map[string]*calendarNode // by lower-case name; used by one goroutine
}

// calendarNode is a calendar of the target, found or created; virtual
// marks one a dry run would create.
type calendarNode struct {
	id      string
	name    string
	virtual bool
	fresh   bool // created by this run: nothing to list

	mu     sync.Mutex
	loaded bool
	byUID  map[string][]string // iCalUId → event ids
	byKey  map[string][]string // eventKey → event ids
	// meetings are the events the target organizes with attendees:
	// deleting one would send them a cancellation (event-delete), so
	// CollisionReplace leaves them.
	meetings map[string]bool
}

func (cr *calendarRestorer) listCalendars(ctx context.Context) error {
	clear(cr.byName)
	for c, err := range cr.job.c.Calendars(ctx, cr.user) {
		if err != nil {
			return fmt.Errorf("list calendars: %w", err)
		}
		n := &calendarNode{id: c.ID, name: c.Name}
		if c.IsDefaultCalendar {
			cr.def = n
		}
		if _, dup := cr.byName[strings.ToLower(c.Name)]; !dup || c.IsDefaultCalendar {
			cr.byName[strings.ToLower(c.Name)] = n
		}
	}
	if cr.def == nil {
		return errors.New("the target has no default calendar")
	}
	return nil
}

// target finds or creates the target calendar of a snapshot calendar.
func (cr *calendarRestorer) target(ctx context.Context, cal dataguard.CalendarRef) (*calendarNode, error) {
	j := cr.job
	name := cal.Name
	switch {
	case len(j.dest) > 0:
		name = j.dest[0]
	case cal.Default:
		return cr.def, nil
	}
	key := strings.ToLower(name)
	if n, ok := cr.byName[key]; ok {
		return n, nil
	}
	n := &calendarNode{name: name, virtual: true}
	if !j.req.DryRun {
		var created *graph.Calendar
		err := retry(ctx, func(int) error {
			var err error
			created, err = j.c.CreateCalendar(graph.RetrySafe(ctx), cr.user, name)
			return err
		})
		if errors.Is(err, graph.ErrConflict) {
			// Made by an attempt whose answer was lost, or meanwhile.
			if lerr := cr.listCalendars(ctx); lerr != nil {
				return nil, lerr
			}
			if n, ok := cr.byName[key]; ok {
				j.folderCreated()
				return n, nil
			}
		}
		if err != nil {
			return nil, fmt.Errorf("create calendar %q: %w", name, err)
		}
		n = &calendarNode{id: created.ID, name: name, fresh: true}
	}
	j.folderCreated()
	cr.byName[key] = n
	return n, nil
}

// calendarIndexSelect are the properties a collision check needs.
var calendarIndexSelect = []string{"id", "iCalUId", "subject", "start", "isOrganizer", "attendees"}

// loadIndex lists the calendar's events once (single instances and series
// masters; nothing for a calendar created by this run).
func (cr *calendarRestorer) loadIndex(ctx context.Context, n *calendarNode) error {
	n.mu.Lock()
	defer n.mu.Unlock()
	if n.loaded {
		return nil
	}
	n.byUID, n.byKey, n.meetings = map[string][]string{}, map[string][]string{}, map[string]bool{}
	if !n.virtual && !n.fresh {
		for ev, err := range cr.job.c.CalendarEvents(ctx, cr.user, n.id, &graph.ListOptions{Select: calendarIndexSelect, Top: 250}) {
			if err != nil {
				return fmt.Errorf("list events: %w", err)
			}
			n.addLocked(ev)
		}
	}
	n.loaded = true
	return nil
}

func (n *calendarNode) addLocked(ev graph.Event) {
	x := eventExtra(ev)
	if x.UID != "" {
		n.byUID[x.UID] = append(n.byUID[x.UID], ev.ID)
	}
	if x.IsOrganizer && len(x.Attendees) > 0 {
		n.meetings[ev.ID] = true
	}
	k := eventKey(ev.Subject, ev.Start)
	n.byKey[k] = append(n.byKey[k], ev.ID)
}

// listedEvent are the listed properties graph.Event does not decode.
type listedEvent struct {
	UID         string            `json:"iCalUId"`
	IsOrganizer bool              `json:"isOrganizer"`
	Attendees   []json.RawMessage `json:"attendees"`
}

func eventExtra(ev graph.Event) listedEvent {
	var x listedEvent
	if len(ev.Raw) > 0 {
		_ = json.Unmarshal(ev.Raw, &x)
	}
	return x
}

// isMeeting reports whether any of ids is a meeting the target organizes.
func (n *calendarNode) isMeeting(ids []string) bool {
	n.mu.Lock()
	defer n.mu.Unlock()
	for _, id := range ids {
		if n.meetings[id] {
			return true
		}
	}
	return false
}

// lookup returns the events that collide with one: to the original user,
// the same iCalUId (the event is still there, changed or not), or the same
// subject and start (an earlier restore of it, which got a new iCalUId);
// to another user, the same subject and start only: its copy of a meeting
// it attends has the organizer's iCalUId and is not the restored event.
func (n *calendarNode) lookup(original bool, m eventMeta) []string {
	n.mu.Lock()
	defer n.mu.Unlock()
	if original && m.ICalUID != "" {
		if ids := n.byUID[m.ICalUID]; len(ids) > 0 {
			return append([]string(nil), ids...)
		}
	}
	return append([]string(nil), n.byKey[eventKey(m.Subject, m.Start)]...)
}

// eventState is what the attempts at restoring one event know.
type eventState struct {
	itemCreate // the event
	attached   map[string]bool
	attUnsure  bool
	before     []string
}

// delete deletes an event of the target.
func (cr *calendarRestorer) delete(ctx context.Context, id string) error {
	return cr.job.c.DeleteEvent(ctx, cr.user, id)
}

// restore restores one event into the calendar node, or counts it in a
// dry run.
func (cr *calendarRestorer) restore(ctx context.Context, node *calendarNode, cal dataguard.CalendarRef, e dataguard.EventRef) {
	j := cr.job
	ref := j.ref(e.ID, cal.Name)
	raw, meta, err := readStored[eventMeta](ctx, j.v, e.JSON)
	if err != nil {
		j.fail(ctx, ref, err)
		return
	}
	ref.Path = cal.Name + "/" + meta.Subject
	existing := node.lookup(j.req.Target.Original(), meta)
	action := j.collision(existing)
	if action == ActionReplaced && node.isMeeting(existing) {
		action = ActionSkipped // deleting it would cancel the meeting for its attendees
	}
	if action == ActionSkipped {
		j.done(ref, action, 0)
		return
	}
	var size int64
	for _, a := range e.Attachments {
		size += a.Size
	}
	if j.req.DryRun {
		j.done(ref, action, size)
		return
	}
	var series *dataguard.EventSeries
	if meta.Type == "seriesMaster" {
		s, err := j.v.ReadSeries(ctx, e)
		if err != nil {
			j.fail(ctx, ref, err)
			return
		}
		series = s
	}
	st := &eventState{attached: map[string]bool{}, before: existing}
	body := buildEvent(raw, meta, j.req.RunID+"\x00"+cr.user+"\x00"+e.ID)
	err = retry(ctx, func(int) error {
		if err := cr.attempt(ctx, node, e, body, meta, st); err != nil {
			return err
		}
		// After the master and its attachments: the exceptions and
		// cancellations of a series (calendar_series.go).
		return cr.applySeries(ctx, st.id, series)
	})
	if err != nil {
		// Half an event: attachments or exceptions missing. It has no
		// attendees, so nobody gets a cancellation.
		discard(ctx, st.id, cr.delete)
		j.fail(ctx, ref, err)
		return
	}
	if action == ActionReplaced {
		if err := replace(ctx, "event", existing, cr.delete); err != nil {
			j.fail(ctx, ref, err)
			return
		}
	}
	j.done(ref, action, size)
}

// attempt makes one attempt at restoring an event, continuing from what
// earlier attempts did.
func (cr *calendarRestorer) attempt(ctx context.Context, node *calendarNode, e dataguard.EventRef, body map[string]any,
	meta eventMeta, st *eventState) error {
	err := st.do(ctx, "event", func(ctx context.Context) (string, error) {
		return cr.findCreated(ctx, node, meta, st.before)
	}, func(ctx context.Context) (string, error) {
		ev, err := cr.job.c.CreateEvent(ctx, cr.user, node.id, body)
		if err != nil {
			return "", err
		}
		return ev.ID, nil
	})
	if err != nil {
		return err
	}
	var todo []dataguard.AttachmentRef
	for _, a := range e.Attachments {
		if !st.attached[a.ID] {
			todo = append(todo, a)
		}
	}
	if len(todo) == 0 {
		return nil
	}
	if st.attUnsure {
		if err := cr.markAttached(ctx, st, todo); err != nil {
			return err
		}
		st.attUnsure = false
	}
	for _, a := range todo {
		if st.attached[a.ID] {
			continue
		}
		if err := cr.addAttachment(ctx, st.id, a); err != nil {
			st.attUnsure = maybeApplied(err)
			return fmt.Errorf("attachment %q: %w", a.Name, err)
		}
		st.attached[a.ID] = true
	}
	return nil
}

// findCreated looks in the target calendar for an event a failed create
// may have made: one with the collision key that was not there before.
func (cr *calendarRestorer) findCreated(ctx context.Context, node *calendarNode, meta eventMeta, before []string) (string, error) {
	want := eventKey(meta.Subject, meta.Start)
	return firstNew(cr.job.c.CalendarEvents(ctx, cr.user, node.id, &graph.ListOptions{Select: calendarIndexSelect, Top: 250}),
		func(ev graph.Event) string { return ev.ID },
		func(ev graph.Event) bool { return eventKey(ev.Subject, ev.Start) == want }, before)
}

// markAttached lists the event's attachments after an add whose outcome is
// unknown, and marks those already there (by name).
func (cr *calendarRestorer) markAttached(ctx context.Context, st *eventState, todo []dataguard.AttachmentRef) error {
	have := map[string]int{}
	for a, err := range cr.job.c.EventAttachments(ctx, cr.user, st.id, &graph.ListOptions{Select: []string{"id", "name", "size"}}) {
		if err != nil {
			return fmt.Errorf("list attachments after a failed add: %w", err)
		}
		have[a.Name]++
	}
	for _, a := range todo {
		// An item attachment is restored as name.eml (see addAttachment).
		for _, name := range []string{a.Name, a.Name + ".eml"} {
			if have[name] > 0 {
				have[name]--
				st.attached[a.ID] = true
				break
			}
		}
	}
	return nil
}

// storedAttachment is an event attachment's stored JSON.
type storedAttachment struct {
	Type         string `json:"@odata.type"`
	Name         string `json:"name"`
	ContentType  string `json:"contentType"`
	IsInline     bool   `json:"isInline"`
	ContentID    string `json:"contentId"`
	SourceURL    string `json:"sourceUrl"`
	ProviderType string `json:"providerType"`
	Permission   string `json:"permission"`
	IsFolder     bool   `json:"isFolder"`
}

func (s storedAttachment) kind() string {
	t := strings.ToLower(s.Type)
	switch {
	case strings.HasSuffix(t, "referenceattachment"):
		return "reference"
	case strings.HasSuffix(t, "itemattachment"):
		return "item"
	}
	return "file"
}

// addAttachment adds one stored attachment to a created event: a file (or
// an item attachment's MIME, as a .eml file) with one POST under 3 MB and
// through an upload session above, streamed from the repository; a
// reference attachment from its JSON.
func (cr *calendarRestorer) addAttachment(ctx context.Context, eventID string, a dataguard.AttachmentRef) error {
	j := cr.job
	var sa storedAttachment
	if err := j.v.ReadJSON(ctx, a.JSON, &sa); err != nil {
		return permanent(fmt.Errorf("read stored attachment: %w", err))
	}
	if sa.kind() == "reference" {
		body := map[string]any{"@odata.type": "#microsoft.graph.referenceAttachment", "name": sa.Name,
			"sourceUrl": sa.SourceURL, "providerType": sa.ProviderType, "permission": sa.Permission,
			"isFolder": sa.IsFolder, "isInline": sa.IsInline}
		_, err := j.c.CreateEventAttachment(ctx, cr.user, eventID, body)
		return err
	}
	name, ct := sa.Name, sa.ContentType
	if sa.kind() == "item" {
		name, ct = sa.Name+".eml", "message/rfc822"
	}
	if a.Content == "" {
		return permanent(fmt.Errorf("no stored content"))
	}
	f, err := j.v.Open(ctx, a.Content)
	if err != nil {
		return fmt.Errorf("open stored content: %w", err)
	}
	defer f.Close()
	size, err := f.Seek(0, io.SeekEnd)
	if err == nil {
		_, err = f.Seek(0, io.SeekStart)
	}
	if err != nil {
		return fmt.Errorf("read stored content: %w", err)
	}
	if size < smallAttachmentMax {
		data, err := io.ReadAll(f)
		if err != nil {
			return fmt.Errorf("read stored content: %w", err)
		}
		_, err = j.c.CreateEventAttachment(ctx, cr.user, eventID, attachmentJSON(attachment{name: name, contentType: ct,
			inline: sa.IsInline, contentID: sa.ContentID, data: data}))
		return err
	}
	_, err = j.c.UploadEventAttachment(ctx, cr.user, eventID, graph.AttachmentUpload{Name: name, ContentType: ct,
		IsInline: sa.IsInline, ContentID: sa.ContentID}, f, size)
	return err
}

// buildEvent is the create request of an event: the backed-up writable
// properties, the recurrence of a series master, the organizer and
// attendees in propAttendees (not as attendees: see eventProps), and a
// transactionId derived from txKey, so that Graph drops a repeated create
// of the same event in the same run (event: "A custom identifier specified
// by a client app for the server to avoid redundant POST operations in
// case of client retries to create the same event").
func buildEvent(raw map[string]json.RawMessage, meta eventMeta, txKey string) map[string]any {
	out := map[string]any{}
	for _, k := range eventProps {
		if v, ok := raw[k]; ok && string(v) != "null" {
			out[k] = v
		}
	}
	if meta.Type == "seriesMaster" {
		if v, ok := raw["recurrence"]; ok && string(v) != "null" {
			out["recurrence"] = v
		}
	}
	people := map[string]json.RawMessage{}
	for _, k := range []string{"organizer", "attendees"} {
		if v, ok := raw[k]; ok && string(v) != "null" {
			people[k] = v
		}
	}
	if len(people) > 0 {
		out["singleValueExtendedProperties"] = []map[string]string{{"id": propAttendees, "value": peopleJSON(people)}}
	}
	sum := sha256.Sum256([]byte(txKey))
	out["transactionId"] = "sg365-" + hex.EncodeToString(sum[:16])
	return out
}

// peopleJSON renders the organizer and attendees for propAttendees,
// within maxAttendeesProp bytes: attendees that do not fit are left out and
// "attendeeCount" says how many there were.
func peopleJSON(people map[string]json.RawMessage) string {
	b, _ := json.Marshal(people)
	if len(b) <= maxAttendeesProp {
		return string(b)
	}
	var all []json.RawMessage
	_ = json.Unmarshal(people["attendees"], &all)
	for n := len(all) / 2; ; n /= 2 {
		out := map[string]any{"organizer": people["organizer"], "attendees": all[:n], "attendeeCount": len(all)}
		if b, _ = json.Marshal(out); len(b) <= maxAttendeesProp || n == 0 {
			return string(b)
		}
	}
}
