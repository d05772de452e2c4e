package tenant

import (
	"fmt"
	"sync/atomic"
	"time"
)

// defaultGenNow is the anchor time of generated tenants when GenOptions.Now
// is zero. It is fixed so that output never depends on the wall clock.
var defaultGenNow = time.Date(2025, time.June, 2, 9, 0, 0, 0, time.UTC)

// GenOptions configures Generate. The zero value of every field selects
// the documented default; for the count fields a negative value means none.
type GenOptions struct {
	Seed   uint64 // all ids, properties and content derive from it
	Users  int    // member users, each with a mailbox and a OneDrive; default 10. With two or more, one guest is added.
	Domain string // default domain of UPNs; default derived from the seed, e.g. "contoso.test"
	Name   string // organization display name; default derived from the seed

	// Now anchors all generated timestamps (items are dated up to a few
	// years before it); default 2025-06-02T09:00:00Z.
	Now time.Time
	// Clock becomes Tenant.Now, the clock for changes made after
	// generation. Default: a deterministic clock that starts at Now and
	// advances one second per call, so runs stay reproducible. Pass
	// time.Now for a live emulator.
	Clock func() time.Time

	MessagesPerUser int   // mean messages per mailbox, spread lognormally; default 200
	EventsPerUser   int   // mean calendar events per mailbox; default 30
	ContactsPerUser int   // mean contacts per mailbox; default 25
	FilesPerUser    int   // mean files per OneDrive, spread lognormally; default 100
	MaxFileSize     int64 // cap of the lognormal file sizes; default 256 MiB
	MaxMessageSize  int64 // cap of the lognormal message sizes; default 20 MiB

	// LargeFiles adds this many files of LargeFileSize bytes, one per user
	// from the first; default 0. Their content is generated on demand, so
	// they cost no memory, but Generate reads them once to compute their
	// quickXorHash (about a second per 5 GiB on two cores).
	LargeFiles    int
	LargeFileSize int64 // default 5 GiB
}

// SmallGenOptions returns a preset for tests: five users with a few dozen
// items each and files of at most 2 MiB; it generates in well under a
// second.
func SmallGenOptions(seed uint64) GenOptions {
	return GenOptions{
		Seed: seed, Users: 5,
		MessagesPerUser: 16, EventsPerUser: 6, ContactsPerUser: 6, FilesPerUser: 14,
		MaxFileSize: 2 << 20, MaxMessageSize: 2 << 20,
	}
}

func (o GenOptions) withDefaults() GenOptions {
	def := func(v *int, d int) {
		switch {
		case *v == 0:
			*v = d
		case *v < 0:
			*v = 0
		}
	}
	def(&o.Users, 10)
	def(&o.MessagesPerUser, 200)
	def(&o.EventsPerUser, 30)
	def(&o.ContactsPerUser, 25)
	def(&o.FilesPerUser, 100)
	def(&o.LargeFiles, 0)
	if o.MaxFileSize <= 0 {
		o.MaxFileSize = 256 << 20
	}
	if o.MaxMessageSize <= 0 {
		o.MaxMessageSize = 20 << 20
	}
	if o.LargeFileSize <= 0 {
		o.LargeFileSize = 5 << 30
	}
	if o.Now.IsZero() {
		o.Now = defaultGenNow
	}
	o.Now = o.Now.UTC().Truncate(time.Second)
	co := companies[SeedOf(o.Seed, "company")%uint64(len(companies))]
	if o.Name == "" {
		o.Name = co.name
	}
	if o.Domain == "" {
		o.Domain = co.slug + ".test"
	}
	if o.Clock == nil {
		o.Clock = steppingClock(o.Now)
	}
	return o
}

// steppingClock returns a clock that starts at start and advances one
// second per call. It is safe for concurrent use.
func steppingClock(start time.Time) func() time.Time {
	var calls atomic.Int64
	return func() time.Time { return start.Add(time.Duration(calls.Add(1)) * time.Second) }
}

// Generate builds a tenant from opts. The same options always produce the
// same tenant: identical ids, properties and content bytes. It takes the
// new tenant's write lock itself, so every object lands in the change logs
// exactly as later mutations do.
func Generate(opts GenOptions) (*Tenant, error) {
	o := opts.withDefaults()
	if o.Users > 100000 {
		return nil, fmt.Errorf("generate: %d users is more than the generator supports (100000)", o.Users)
	}
	t := New(o.Seed, o.Name, o.Domain, o.Clock)
	t.Created = o.Now.AddDate(-4, 0, 0).Truncate(24 * time.Hour)
	g := newGenerator(t, o)
	err := t.Write(func() error {
		steps := []struct {
			name string
			fn   func() error
		}{
			{"directory", g.directory},
			{"mail", g.mail},
			{"calendars", g.calendars},
			{"contacts", g.contacts},
			{"drives", g.drives},
			{"file hashes", g.hashPending},
			{"configuration", g.configuration}, // last: its ids come from the seed, not the id counter
			{"security", g.security},           // after it: reads the role assignments; ids from the seed too
		}
		for _, s := range steps {
			if err := s.fn(); err != nil {
				return fmt.Errorf("generate %s: %w", s.name, err)
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return t, nil
}

// generator holds what the generation steps share. It is used under the
// tenant's write lock.
type generator struct {
	t       *Tenant
	o       GenOptions
	initial string        // the *.onmicrosoft.com domain
	members []*User       // users with a mailbox and drive, in creation order
	index   map[*User]int // position in members
	people  []*person     // members as correspondents, same order
	extern  []*person     // external correspondents
	bulk    []*person     // external notification senders
	shared  []sharedFile
	logo    Blob         // the tenant's signature logo, identical in every internal message
	pending []*DriveItem // files whose quickXorHash is still to compute
}

// person is a mail correspondent.
type person struct {
	name, address string
	user          *User // nil for external people
	logo          Blob  // inline signature image of the person's organisation; nil for none
}

func newGenerator(t *Tenant, o GenOptions) *generator {
	g := &generator{t: t, o: o, index: map[*User]int{}}
	g.shared = sharedFiles(t.Seed)
	g.logo = Generated{Seed: SeedOf(t.Seed, "logo"), Len: 7342}
	g.externals()
	return g
}

// generatorFor returns a generator over an existing tenant's members, for
// the mutator: it composes content the way Generate does. Hold a lock.
func generatorFor(t *Tenant, now time.Time) *generator {
	o := GenOptions{Seed: t.Seed, Now: now, Name: t.DisplayName, Domain: t.DefaultDomain}.withDefaults()
	g := newGenerator(t, o)
	for _, u := range t.Users {
		if u.Deleted || u.Mailbox == nil {
			continue
		}
		name, _ := u.Props["displayName"].(string)
		g.addMember(u, name)
	}
	return g
}

// addMember registers u as a correspondent with a mailbox.
func (g *generator) addMember(u *User, name string) {
	g.index[u] = len(g.members)
	g.members = append(g.members, u)
	g.people = append(g.people, &person{name: name, address: u.UPN, user: u, logo: g.logo})
}

// ago returns a time before Now: the age is exponential with the given
// mean, so recent items are more common, and at most limit.
func (g *generator) ago(r *genRand, mean, limit time.Duration) time.Time {
	age := time.Duration(r.r.ExpFloat64() * float64(mean))
	if age > limit {
		age = time.Duration(r.float() * float64(limit))
	}
	return g.o.Now.Add(-age).Truncate(time.Second)
}
