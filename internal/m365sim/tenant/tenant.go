package tenant

import (
	"encoding/base64"
	"encoding/binary"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// New returns an empty tenant whose ids derive from seed. now is the clock
// for timestamps of changes; nil means time.Now.
func New(seed uint64, displayName, domain string, now func() time.Time) *Tenant {
	if now == nil {
		now = time.Now
	}
	t := &Tenant{
		Seed:          seed,
		DisplayName:   displayName,
		DefaultDomain: domain,
		Now:           now,
		UsersByID:     make(map[string]*User),
		GroupsByID:    make(map[string]*Group),
		Drives:        make(map[string]*Drive),
		Config:        NewConfig(),
		Security:      NewSecurity(),
	}
	t.ID = t.NewGUID()
	return t
}

// Read runs fn holding the read lock.
func (t *Tenant) Read(fn func() error) error {
	t.mu.RLock()
	defer t.mu.RUnlock()
	return fn()
}

// Write runs fn holding the write lock.
func (t *Tenant) Write(fn func() error) error {
	t.mu.Lock()
	defer t.mu.Unlock()
	return fn()
}

// Seq returns the current change sequence number. Hold a lock.
func (t *Tenant) Seq() int64 { return t.seq }

// NextSeq advances and returns the change sequence. Hold the write lock.
func (t *Tenant) NextSeq() int64 {
	t.seq++
	return t.seq
}

func (t *Tenant) nextRand() uint64 {
	t.ids++
	return SeedOf(t.Seed, "id", t.ids)
}

// NewGUID returns a deterministic GUID. Hold the write lock (or call before
// the tenant is shared).
func (t *Tenant) NewGUID() string {
	a, b := t.nextRand(), t.nextRand()
	var raw [16]byte
	binary.BigEndian.PutUint64(raw[:8], a)
	binary.BigEndian.PutUint64(raw[8:], b)
	raw[6] = raw[6]&0x0f | 0x40 // version 4 layout
	raw[8] = raw[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", raw[0:4], raw[4:6], raw[6:8], raw[8:10], raw[10:16])
}

// NewOutlookID returns a deterministic Outlook-style id ("AAMkA…").
// Hold the write lock.
func (t *Tenant) NewOutlookID(prefix string) string {
	return encodeID(prefix, t.nextRand(), t.nextRand(), t.nextRand())
}

// NewDriveItemID returns a deterministic OneDrive for Business item id
// (34 upper-case base32 characters starting with "01"). Hold the write lock.
func (t *Tenant) NewDriveItemID() string {
	const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"
	var b strings.Builder
	b.WriteString("01")
	for b.Len() < 34 {
		r := t.nextRand()
		for i := 0; i < 12 && b.Len() < 34; i++ {
			b.WriteByte(alphabet[r&31])
			r >>= 5
		}
	}
	return b.String()
}

func encodeID(prefix string, parts ...uint64) string {
	raw := make([]byte, 8*len(parts))
	for i, p := range parts {
		binary.BigEndian.PutUint64(raw[8*i:], p)
	}
	return prefix + base64.RawURLEncoding.EncodeToString(raw)
}

func itoa(v int64) string { return strconv.FormatInt(v, 10) }

// Timestamp formats t as Graph does (UTC, seconds, "Z").
func Timestamp(t time.Time) string { return t.UTC().Format("2006-01-02T15:04:05Z") }

// User returns the user with the given id or UPN (case-insensitive), or nil.
// Hold a lock.
func (t *Tenant) User(idOrUPN string) *User {
	u := t.UsersByID[strings.ToLower(idOrUPN)]
	if u == nil || u.Deleted {
		return nil
	}
	return u
}

// AddUser adds u and records the change. Hold the write lock.
func (t *Tenant) AddUser(u *User) {
	u.Version = t.NextSeq()
	t.Users = append(t.Users, u)
	t.UsersByID[strings.ToLower(u.ID)] = u
	t.UsersByID[strings.ToLower(u.UPN)] = u
	t.UsersLog.Record(u.Version, u.ID, false, "")
	if u.Drive != nil {
		t.Drives[u.Drive.ID] = u.Drive
	}
}

// UpdateUser merges props into u and records the change. Hold the write lock.
func (t *Tenant) UpdateUser(u *User, props Props) {
	for k, v := range props {
		u.Props[k] = v
	}
	u.Version = t.NextSeq()
	t.UsersLog.Record(u.Version, u.ID, false, "")
}

// AddGroup adds g and records the change. Hold the write lock.
func (t *Tenant) AddGroup(g *Group) {
	g.Version = t.NextSeq()
	t.Groups = append(t.Groups, g)
	t.GroupsByID[strings.ToLower(g.ID)] = g
	t.GroupsLog.Record(g.Version, g.ID, false, "")
}

func lower(s string) string { return strings.ToLower(s) }
