package export

import (
	"context"
	"io"
	"strings"
	"time"
)

// contactJSON is the part of a Graph contact that the .vcf export writes.
type contactJSON struct {
	ID             string `json:"id"`
	DisplayName    string `json:"displayName"`
	GivenName      string `json:"givenName"`
	MiddleName     string `json:"middleName"`
	Surname        string `json:"surname"`
	Title          string `json:"title"`
	Generation     string `json:"generation"`
	NickName       string `json:"nickName"`
	EmailAddresses []struct {
		Name    string `json:"name"`
		Address string `json:"address"`
	} `json:"emailAddresses"`
	BusinessPhones   []string       `json:"businessPhones"`
	HomePhones       []string       `json:"homePhones"`
	MobilePhone      *string        `json:"mobilePhone"`
	CompanyName      string         `json:"companyName"`
	Department       string         `json:"department"`
	JobTitle         string         `json:"jobTitle"`
	BusinessAddress  *postalAddress `json:"businessAddress"`
	HomeAddress      *postalAddress `json:"homeAddress"`
	OtherAddress     *postalAddress `json:"otherAddress"`
	Birthday         string         `json:"birthday"`
	PersonalNotes    string         `json:"personalNotes"`
	BusinessHomePage string         `json:"businessHomePage"`
	Categories       []string       `json:"categories"`
	Modified         string         `json:"lastModifiedDateTime"`
}

type postalAddress struct {
	Street          string `json:"street"`
	City            string `json:"city"`
	State           string `json:"state"`
	PostalCode      string `json:"postalCode"`
	CountryOrRegion string `json:"countryOrRegion"`
}

// compound joins the components of a structured value (N, ADR, ORG),
// each escaped.
func compound(parts ...string) string {
	for i, p := range parts {
		parts[i] = escapeText(p)
	}
	return strings.Join(parts, ";")
}

// writeContact writes one vCard 4.0 (RFC 6350).
func writeContact(l *lineWriter, c *contactJSON) {
	l.line("BEGIN", "VCARD")
	l.line("VERSION", "4.0")
	fn := c.DisplayName
	if fn == "" {
		fn = strings.TrimSpace(c.GivenName + " " + c.Surname)
	}
	if fn == "" && len(c.EmailAddresses) > 0 {
		fn = c.EmailAddresses[0].Address
	}
	l.line("FN", escapeText(fn)) // FN is required, even if empty
	if c.Surname != "" || c.GivenName != "" || c.MiddleName != "" {
		l.line("N", compound(c.Surname, c.GivenName, c.MiddleName, c.Title, c.Generation))
	}
	l.text("NICKNAME", c.NickName)
	for _, e := range c.EmailAddresses {
		if e.Address != "" {
			l.line("EMAIL", escapeText(e.Address))
		}
	}
	for _, p := range c.BusinessPhones {
		l.text("TEL;TYPE=work,voice", p)
	}
	for _, p := range c.HomePhones {
		l.text("TEL;TYPE=home,voice", p)
	}
	if c.MobilePhone != nil {
		l.text("TEL;TYPE=cell", *c.MobilePhone)
	}
	if c.CompanyName != "" || c.Department != "" {
		l.line("ORG", compound(c.CompanyName, c.Department))
	}
	l.text("TITLE", c.JobTitle)
	for _, a := range []struct {
		typ string
		a   *postalAddress
	}{{"work", c.BusinessAddress}, {"home", c.HomeAddress}, {"", c.OtherAddress}} {
		if a.a == nil || *a.a == (postalAddress{}) {
			continue
		}
		name := "ADR"
		if a.typ != "" {
			name += ";TYPE=" + a.typ
		}
		l.line(name, compound("", "", a.a.Street, a.a.City, a.a.State, a.a.PostalCode, a.a.CountryOrRegion))
	}
	if t := parseTime(c.Birthday); !t.IsZero() {
		l.line("BDAY", t.Format("20060102"))
	}
	l.text("NOTE", c.PersonalNotes)
	l.text("URL", c.BusinessHomePage)
	if len(c.Categories) > 0 {
		cats := make([]string, len(c.Categories))
		for i, s := range c.Categories {
			cats[i] = escapeText(s)
		}
		l.line("CATEGORIES", strings.Join(cats, ","))
	}
	l.text("UID", c.ID)
	if t := parseTime(c.Modified); !t.IsZero() {
		l.line("REV", t.Format("20060102T150405Z"))
	}
	l.line("END", "VCARD")
}

// exportContacts writes each selected contact folder as one .vcf file
// holding its contacts, at the folder's path below Contacts/.
func exportContacts(ctx context.Context, j *job) error {
	for _, f := range j.v.ContactFolders() {
		if !j.underPath(f.Path) {
			continue
		}
		cs, err := j.v.Contacts(ctx, f.ID)
		if err != nil {
			if err := j.failed(ctx, f.ID, err); err != nil {
				return err
			}
			continue
		}
		var w io.WriteCloser
		var l *lineWriter
		var p string
		for _, ref := range cs {
			if !j.want(ref.ID) {
				continue
			}
			var c contactJSON
			if err := j.v.ReadJSON(ctx, ref.JSON, &c); err != nil {
				if err := j.failed(ctx, ref.ID, err); err != nil {
					return err
				}
				continue
			}
			if w == nil {
				dir := dirContacts
				if pp := parentOf(f.Path); pp != "" {
					dir += "/" + sanitizePath(pp)
				}
				p = j.names.join(dir, f.Name, ".vcf")
				if w, err = j.sink.Create(p, time.Time{}); err != nil {
					return err
				}
				j.sum.Files++
				l = &lineWriter{w: w}
			}
			var n countingWriter
			l.w = io.MultiWriter(w, &n)
			writeContact(l, &c)
			j.done(p, int64(n))
		}
		if w != nil {
			if err := l.err; err != nil {
				w.Close()
				return err
			}
			if err := w.Close(); err != nil {
				return err
			}
		}
	}
	return nil
}
