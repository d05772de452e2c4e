package tenant

import (
	"fmt"
	"strings"
	"time"
)

// contactSubfolder is the name of the contact folder the generator adds
// below each default Contacts folder.
const contactSubfolder = "Clients – Kunden"

// contacts fills each member's default contact folder and a sub-folder.
func (g *generator) contacts() error {
	r := newRand(g.t.Seed, "contacts")
	for _, u := range g.members {
		mb := u.Mailbox
		def := mb.DefaultContactFolder()
		sub := g.t.AddContactFolder(mb, def, contactSubfolder)
		for k := r.countAround(g.o.ContactsPerUser); k > 0; k-- {
			f := def
			if r.chance(0.3) {
				f = sub
			}
			g.t.AddContact(mb, f, &Contact{Props: g.contactProps(r, k)})
		}
	}
	return nil
}

// contactProps returns a personal contact.
// https://learn.microsoft.com/graph/api/resources/contact
func (g *generator) contactProps(r *genRand, k int) Props {
	var given, surname, address, company string
	if r.chance(0.3) {
		p := pick(r, g.people)
		given, _ = p.user.Props["givenName"].(string)
		surname, _ = p.user.Props["surname"].(string)
		address, company = p.address, g.t.DisplayName
	} else {
		gv, sn := pick(r, givenPool), pick(r, surnamePool)
		co := pick(r, companies)
		given, surname, company = gv[0], sn[0], co.name
		address = strings.ReplaceAll(gv[1]+"."+sn[1], "'", "") + "@" + co.slug + ".example"
	}
	display := strings.TrimSpace(given + " " + surname)
	dept := pick(r, departments)
	created := g.ago(r, 400*24*time.Hour, 4*365*24*time.Hour)
	p := Props{
		"displayName":    display,
		"givenName":      given,
		"surname":        surname,
		"middleName":     nil,
		"nickName":       nil,
		"title":          nil,
		"initials":       nil,
		"generation":     nil,
		"fileAs":         strings.TrimSpace(surname + ", " + given),
		"emailAddresses": []any{Props{"name": display, "address": address}},
		"imAddresses":    []any{},
		"businessPhones": []any{fmt.Sprintf("+44 20 7946 %04d", r.intn(10000))},
		"homePhones":     []any{},
		"mobilePhone":    nil,
		"companyName":    company,
		"jobTitle":       pick(r, dept.titles),
		"department":     dept.name,
		"officeLocation": nil,
		"profession":     nil,
		"manager":        nil,
		"assistantName":  nil,
		"spouseName":     nil,
		"birthday":       nil,
		"personalNotes":  "",
		"categories":     []any{},
		"children":       []any{},
		"businessAddress": Props{"street": fmt.Sprintf("%d Example Road", 1+r.intn(200)), "city": pick(r, countries).city,
			"state": "", "countryOrRegion": pick(r, countries).code, "postalCode": fmt.Sprintf("%05d", r.intn(100000))},
		"homeAddress":          Props{},
		"otherAddress":         Props{},
		"createdDateTime":      Timestamp(created),
		"lastModifiedDateTime": Timestamp(created),
	}
	if r.chance(0.5) {
		p["mobilePhone"] = fmt.Sprintf("+49 151 %08d", r.intn(100000000))
	}
	if r.chance(0.2) {
		p["birthday"] = Timestamp(time.Date(1960+r.intn(40), time.Month(1+r.intn(12)), 1+r.intn(28), 11, 59, 0, 0, time.UTC))
	}
	if r.chance(0.15) {
		p["personalNotes"] = fmt.Sprintf("Met at the %s workshop – prefers e-mail. (#%d)", pick(r, projects), k)
		p["categories"] = []any{pick(r, categories)}
	}
	return p
}
