package tenant

import (
	"fmt"
	"slices"
	"strings"
	"time"
)

// MutateOptions says how much activity Mutate simulates. Counts are totals
// across the tenant's mailboxes and drives; zero means none of that kind.
// DefaultMutateOptions gives a day of typical activity.
type MutateOptions struct {
	Seed   uint64        // the same seed on the same tenant state gives the same changes
	Now    time.Time     // end of the simulated period; zero means t.Now()
	Period time.Duration // changes are dated evenly over (Now-Period, Now]; zero means 24h

	NewMessages     int // each lands in the recipient's Inbox and, from a member, the sender's Sent Items
	ChangedMessages int // read state, flag or categories
	MovedMessages   int // to another folder (some to Deleted Items)
	DeletedMessages int // permanently
	RenamedFolders  int // custom mail folders

	NewEvents, ChangedEvents, DeletedEvents int
	// ChangedOccurrences occurrences of series are moved, retitled or
	// cancelled, each in another series; each is an update of its master.
	ChangedOccurrences                            int
	NewContacts, ChangedContacts, DeletedContacts int

	NewFiles, ChangedFiles, RenamedFiles, MovedFiles, DeletedFiles int
	NewDriveFolders, RenamedDriveFolders                           int
	MovedDriveFolders, DeletedDriveFolders                         int
	// SharingChanges drive items are shared with a colleague or lose one
	// direct grant (OpShare); the item itself is otherwise unchanged.
	SharingChanges int
}

// DefaultMutateOptions returns a day of activity for a tenant of the given
// number of users: a handful of changes of every kind per user.
func DefaultMutateOptions(seed uint64, users int) MutateOptions {
	n := max(1, users)
	per := func(num, den int) int { return max(1, n*num/den) }
	return MutateOptions{
		Seed:        seed,
		NewMessages: per(6, 1), ChangedMessages: per(4, 1), MovedMessages: per(2, 1), DeletedMessages: per(1, 1),
		RenamedFolders: per(1, 5),
		NewEvents:      per(1, 1), ChangedEvents: per(1, 2), DeletedEvents: per(1, 3), ChangedOccurrences: per(1, 3),
		NewContacts: per(1, 2), ChangedContacts: per(1, 3), DeletedContacts: per(1, 5),
		NewFiles: per(3, 1), ChangedFiles: per(2, 1), RenamedFiles: per(1, 1), MovedFiles: per(1, 1), DeletedFiles: per(1, 1),
		NewDriveFolders: per(1, 2), RenamedDriveFolders: per(1, 3), MovedDriveFolders: per(1, 5), DeletedDriveFolders: per(1, 5),
		SharingChanges: per(1, 2),
	}
}

// ChangeKind names what a Change touched.
type ChangeKind string

// Kinds of items Mutate changes.
const (
	KindMessage    ChangeKind = "message"
	KindMailFolder ChangeKind = "mailFolder"
	KindEvent      ChangeKind = "event"
	KindContact    ChangeKind = "contact"
	KindDriveItem  ChangeKind = "driveItem"
)

// ChangeOp names what happened to an item.
type ChangeOp string

// Operations in a MutationReport.
const (
	OpAdd    ChangeOp = "add"
	OpUpdate ChangeOp = "update" // properties or, for files, content
	OpMove   ChangeOp = "move"
	OpRename ChangeOp = "rename"
	OpDelete ChangeOp = "delete"
	OpShare  ChangeOp = "share" // drive items: a direct grant added or removed
)

// Change is one item Mutate touched.
type Change struct {
	Kind ChangeKind
	Op   ChangeOp
	User string // the owning user's id
	// Container is the id of what holds the change log entry: the mail
	// folder, calendar, contact folder or drive; for a mail folder rename,
	// the user id (the mailbox's folder log).
	Container string
	ID        string // the item's id after the change
	// OldID and OldContainer are set for moves: a moved message had
	// another REST id in its old folder; a moved drive item had another
	// parent (its log stays the drive's).
	OldID, OldContainer string
	Name                string // new name for renames and for new drive items
}

// MutationReport lists what Mutate changed. Every change has a sequence
// number in (Start, End], and each item appears at most once, so the
// change logs' current entries in that range match Changes exactly: an
// add, update or rename is an entry for ID in Container, a delete is a
// removal there, and a message move is a removal of OldID in
// OldContainer plus an entry for ID in Container. Deleting a drive folder
// lists every item below it as deleted too.
type MutationReport struct {
	Start, End int64
	Changes    []Change
}

// Count returns how many changes have the kind and operation.
func (r *MutationReport) Count(k ChangeKind, op ChangeOp) int {
	n := 0
	for _, c := range r.Changes {
		if c.Kind == k && c.Op == op {
			n++
		}
	}
	return n
}

// IDs returns the ids of the changes with the kind and operation, in
// order.
func (r *MutationReport) IDs(k ChangeKind, op ChangeOp) []string {
	var out []string
	for _, c := range r.Changes {
		if c.Kind == k && c.Op == op {
			out = append(out, c.ID)
		}
	}
	return out
}

// Counts returns the number of changes per "kind.op", e.g. "message.add".
func (r *MutationReport) Counts() map[string]int {
	out := map[string]int{}
	for _, c := range r.Changes {
		out[string(c.Kind)+"."+string(c.Op)]++
	}
	return out
}

// Mutate simulates activity in t between two backups: new, changed, moved
// and deleted mail, renamed mail folders, new, changed and deleted events
// and contacts, and new, changed, renamed, moved and deleted files and
// folders in OneDrive. Every change goes through the tenant's mutation
// methods, so it lands in the change logs that drive delta queries.
// Changes are deterministic for a seed and tenant state. When a tenant
// has fewer candidates than asked for, Mutate does what it can; the report
// says what happened. Mutate takes the tenant's write lock itself.
func Mutate(t *Tenant, opts MutateOptions) (MutationReport, error) {
	var rep MutationReport
	err := t.Write(func() error {
		m := newMutator(t, opts, &rep)
		rep.Start = t.Seq()
		steps := []struct {
			name string
			fn   func() error
		}{
			{"mail", m.mail}, {"events", m.events}, {"contacts", m.contacts}, {"drives", m.drives},
		}
		for _, s := range steps {
			if err := s.fn(); err != nil {
				return fmt.Errorf("mutate %s: %w", s.name, err)
			}
		}
		rep.End = t.Seq()
		return nil
	})
	return rep, err
}

// mutator carries one Mutate run. touched holds every item changed in the
// run (by pointer), so no item is changed twice.
type mutator struct {
	t       *Tenant
	o       MutateOptions
	r       *genRand
	g       *generator
	rep     *MutationReport
	touched map[any]bool
	start   time.Time
	step    time.Duration
	ticks   int
}

func newMutator(t *Tenant, o MutateOptions, rep *MutationReport) *mutator {
	if o.Now.IsZero() {
		o.Now = t.Now()
	}
	o.Now = o.Now.UTC().Truncate(time.Second)
	if o.Period <= 0 {
		o.Period = 24 * time.Hour
	}
	total := o.NewMessages + o.ChangedMessages + o.MovedMessages + o.DeletedMessages + o.RenamedFolders +
		o.NewEvents + o.ChangedEvents + o.DeletedEvents + o.ChangedOccurrences + o.NewContacts + o.ChangedContacts + o.DeletedContacts +
		o.NewFiles + o.ChangedFiles + o.RenamedFiles + o.MovedFiles + o.DeletedFiles +
		o.NewDriveFolders + o.RenamedDriveFolders + o.MovedDriveFolders + o.DeletedDriveFolders
	return &mutator{
		t: t, o: o, rep: rep,
		r:       newRand(t.Seed, "mutate", o.Seed),
		g:       generatorFor(t, o.Now),
		touched: map[any]bool{},
		start:   o.Now.Add(-o.Period),
		step:    o.Period / time.Duration(total+1),
	}
}

// at returns the time of the next change: changes are spread evenly over
// the period, in the order they are made.
func (m *mutator) at() time.Time {
	m.ticks++
	return m.start.Add(m.step * time.Duration(m.ticks)).Truncate(time.Second)
}

func (m *mutator) record(c Change) { m.rep.Changes = append(m.rep.Changes, c) }

// pickUntouched returns a random element of list that is not yet touched,
// or false when all are.
func pickUntouched[T comparable](m *mutator, list []T) (T, bool) {
	var zero T
	if len(list) == 0 {
		return zero, false
	}
	for tries := 0; tries < 8; tries++ {
		if x := list[m.r.intn(len(list))]; !m.touched[x] {
			return x, true
		}
	}
	off := m.r.intn(len(list))
	for i := range list {
		if x := list[(off+i)%len(list)]; !m.touched[x] {
			return x, true
		}
	}
	return zero, false
}

// mailboxUsers returns the live users with a mailbox, in creation order.
func (m *mutator) mailboxUsers() []*User {
	var out []*User
	for _, u := range m.t.Users {
		if !u.Deleted && u.Mailbox != nil {
			out = append(out, u)
		}
	}
	return out
}

// liveMessages returns every live message once, ordered by owner and
// immutable id (map order is random, so sort for determinism), with each
// message's owner.
func (m *mutator) liveMessages() ([]*Message, map[*Message]*User) {
	var out []*Message
	owner := map[*Message]*User{}
	for _, u := range m.mailboxUsers() {
		var msgs []*Message
		for id, msg := range u.Mailbox.Messages {
			if id == msg.ImmutableID && !msg.Deleted {
				msgs = append(msgs, msg)
				owner[msg] = u
			}
		}
		slices.SortFunc(msgs, func(a, b *Message) int { return strings.Compare(a.ImmutableID, b.ImmutableID) })
		out = append(out, msgs...)
	}
	return out, owner
}
