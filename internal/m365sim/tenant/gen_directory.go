package tenant

import (
	"fmt"
	"slices"
	"strings"
	"time"
)

// directory creates the organization, its domains and subscriptions, the
// users with their mailboxes and drives, and groups.
func (g *generator) directory() error {
	t, o := g.t, g.o
	slug := strings.TrimSuffix(o.Domain, ".test")
	slug = strings.NewReplacer(".", "", "-", "").Replace(slug)
	g.initial = slug + ".onmicrosoft.com"
	t.Domains = []Props{
		domainProps(o.Domain, true, false),
		domainProps(g.initial, false, true),
	}
	if err := g.users(); err != nil {
		return err
	}
	t.SKUs = g.skus()
	t.Org = g.organization(slug)
	g.groups()
	return nil
}

// domainProps returns a Graph domain resource.
// https://learn.microsoft.com/graph/api/resources/domain
func domainProps(name string, isDefault, isInitial bool) Props {
	return Props{
		"id":                               name,
		"authenticationType":               "Managed",
		"availabilityStatus":               nil,
		"isAdminManaged":                   true,
		"isDefault":                        isDefault,
		"isInitial":                        isInitial,
		"isRoot":                           true,
		"isVerified":                       true,
		"passwordNotificationWindowInDays": float64(14),
		"passwordValidityPeriodInDays":     float64(2147483647),
		"supportedServices":                []any{"Email", "OfficeCommunicationsOnline"},
		"state":                            nil,
	}
}

func (g *generator) organization(slug string) Props {
	t := g.t
	var verified []any
	for _, d := range t.Domains {
		verified = append(verified, Props{
			"capabilities": "Email, OfficeCommunicationsOnline",
			"isDefault":    d["isDefault"], "isInitial": d["isInitial"],
			"name": d["id"], "type": "Managed",
		})
	}
	var assigned, provisioned []any
	seen := map[string]bool{}
	for _, s := range skuCatalog {
		for _, p := range s.plans {
			if seen[p.id] {
				continue
			}
			seen[p.id] = true
			assigned = append(assigned, Props{"assignedDateTime": Timestamp(t.Created),
				"capabilityStatus": "Enabled", "service": p.service, "servicePlanId": p.id})
			provisioned = append(provisioned, Props{"capabilityStatus": "Enabled",
				"provisioningStatus": "Success", "service": p.service})
		}
	}
	return Props{
		"id":                                   t.ID,
		"displayName":                          t.DisplayName,
		"businessPhones":                       []any{"+1 425 555 0100"},
		"city":                                 "Redmond",
		"country":                              nil,
		"countryLetterCode":                    "US",
		"createdDateTime":                      Timestamp(t.Created),
		"defaultUsageLocation":                 nil,
		"deletedDateTime":                      nil,
		"marketingNotificationEmails":          []any{},
		"onPremisesLastSyncDateTime":           nil,
		"onPremisesSyncEnabled":                nil,
		"postalCode":                           "98052",
		"preferredLanguage":                    "en",
		"privacyProfile":                       nil,
		"securityComplianceNotificationMails":  []any{},
		"securityComplianceNotificationPhones": []any{},
		"state":                                "WA",
		"street":                               "1 Example Way",
		"technicalNotificationMails":           []any{"it-admin@" + g.o.Domain},
		"tenantType":                           "AAD",
		"directorySizeQuota":                   Props{"used": float64(len(t.Users) + len(t.Groups)), "total": float64(300000)},
		"assignedPlans":                        assigned,
		"provisionedPlans":                     provisioned,
		"verifiedDomains":                      verified,
		"onPremisesSyncStatus":                 []any{},
	}
}

// servicePlan is one service inside a licence; the ids are Microsoft's
// published service plan identifiers.
// https://learn.microsoft.com/entra/identity/users/licensing-service-plan-reference
type servicePlan struct{ id, name, service string }

var (
	planExchange   = servicePlan{"efb87545-963c-4e0d-99df-69c6916d9eb0", "EXCHANGE_S_ENTERPRISE", "exchange"}
	planSharePoint = servicePlan{"5dbe027f-2339-4123-9542-606e4d348a72", "SHAREPOINTENTERPRISE", "SharePoint"}
	planWAC        = servicePlan{"e95bec33-7c88-4a70-8e19-b10bd9d0c014", "SHAREPOINTWAC", "SharePoint"}
	planTeams      = servicePlan{"57ff2da0-773e-42df-b2af-ffb7a2317929", "TEAMS1", "TeamspaceAPI"}
	planOffice     = servicePlan{"43de0ff5-c92c-492b-9116-175376d08c38", "OFFICESUBSCRIPTION", "MicrosoftOffice"}
	planSkype      = servicePlan{"0feaeb32-d00e-4d66-bd5a-43b5b83db82c", "MCOSTANDARD", "MicrosoftCommunicationsOnline"}
	planPhone      = servicePlan{"4828c8ec-dc2e-4779-b502-87ac9ce28ab7", "MCOEV", "MicrosoftCommunicationsOnline"}
	planAADP1      = servicePlan{"41781fb2-bc02-4b7c-bd55-b576c07bb09d", "AAD_PREMIUM", "AADPremiumService"}
	planAADP2      = servicePlan{"eec0eb4f-6444-4f95-aba0-50c24d67f998", "AAD_PREMIUM_P2", "AADPremiumService"}
	planIntune     = servicePlan{"c1ec4a95-1f05-45b3-a911-aa3fa01094f5", "INTUNE_A", "SCO"}
)

// skuCatalog holds the licences the generator assigns, with Microsoft's
// public skuIds: Office 365 E3 and Microsoft 365 E5.
var skuCatalog = []struct {
	id, part string
	plans    []servicePlan
}{
	{"6fd2c87f-b296-42f0-b197-1e91e994b900", "ENTERPRISEPACK",
		[]servicePlan{planExchange, planSharePoint, planWAC, planTeams, planOffice, planSkype}},
	{"06ebc4ee-1bb5-47dd-8120-11324bc54e06", "SPE_E5",
		[]servicePlan{planExchange, planSharePoint, planWAC, planTeams, planOffice, planSkype, planPhone, planAADP1, planAADP2, planIntune}},
}

// skuFor returns the index in skuCatalog of member i's licence: every
// fourth member has E5.
func skuFor(i int) int {
	if i%4 == 1 {
		return 1
	}
	return 0
}

// skus returns subscribedSku resources with consumed units matching the
// licences assigned to users.
// https://learn.microsoft.com/graph/api/resources/subscribedsku
func (g *generator) skus() []Props {
	consumed := make([]int, len(skuCatalog))
	for i := range g.members {
		consumed[skuFor(i)]++
	}
	var out []Props
	for i, s := range skuCatalog {
		var plans []any
		for _, p := range s.plans {
			plans = append(plans, Props{"servicePlanId": p.id, "servicePlanName": p.name,
				"provisioningStatus": "Success", "appliesTo": "User"})
		}
		prepaid := (consumed[i]/25 + 1) * 25 // bought in blocks of 25
		out = append(out, Props{
			"id":               g.t.ID + "_" + s.id,
			"accountId":        g.t.ID,
			"accountName":      strings.TrimSuffix(g.initial, ".onmicrosoft.com"),
			"appliesTo":        "User",
			"capabilityStatus": "Enabled",
			"consumedUnits":    float64(consumed[i]),
			"prepaidUnits":     Props{"enabled": float64(prepaid), "suspended": float64(0), "warning": float64(0), "lockedOut": float64(0)},
			"servicePlans":     plans,
			"skuId":            s.id,
			"skuPartNumber":    s.part,
			"subscriptionIds":  []any{g.t.NewGUID()},
		})
	}
	return out
}

// users creates the members (each with a mailbox and a OneDrive) and one
// guest.
func (g *generator) users() error {
	r := newRand(g.t.Seed, "users")
	upns := map[string]bool{}
	for i := 0; i < g.o.Users; i++ {
		pn := g.memberName(r, i)
		nick := pn.asciiGiven + "." + pn.asciiSurname
		for n := 2; upns[nick]; n++ {
			nick = fmt.Sprintf("%s.%s%d", pn.asciiGiven, pn.asciiSurname, n)
		}
		upns[nick] = true
		u := g.member(r, i, pn, nick)
		u.Mailbox = g.t.NewMailbox()
		u.Drive = g.t.NewDrive(u)
		g.t.AddUser(u)
		g.addMember(u, pn.display)
	}
	if g.o.Users >= 2 {
		g.guest()
	}
	return nil
}

// externals creates the people and services outside the tenant that
// exchange mail with it; their addresses are under the reserved .example
// TLD.
func (g *generator) externals() {
	for i, e := range append(slices.Clone(externalPeople), bulkSenders...) {
		co := companies[(i+int(g.t.Seed%1000))%len(companies)]
		p := &person{name: e.name, address: e.local + "@" + co.slug + ".example"}
		if i%2 == 0 {
			p.logo = Generated{Seed: SeedOf("logo", co.slug), Len: int64(4000 + 731*i)}
		}
		if i < len(externalPeople) {
			g.extern = append(g.extern, p)
		} else {
			g.bulk = append(g.bulk, p)
		}
	}
}

func (g *generator) memberName(r *genRand, i int) personName {
	if i < len(fixedPeople) {
		return fixedPeople[i]
	}
	gv, sn := pick(r, givenPool), pick(r, surnamePool)
	c := pick(r, countries)
	return personName{gv[0], sn[0], gv[0] + " " + sn[0], gv[1], sn[1], c.code, c.lang, c.city}
}

// member returns a licensed member user's directory object.
// https://learn.microsoft.com/graph/api/resources/user
func (g *generator) member(r *genRand, i int, pn personName, nick string) *User {
	t := g.t
	dept := pick(r, departments)
	created := t.Created.Add(time.Duration(r.intn(3*365*24)) * time.Hour)
	sku := skuCatalog[skuFor(i)]
	var plans []any
	for _, p := range sku.plans {
		plans = append(plans, Props{"assignedDateTime": Timestamp(created),
			"capabilityStatus": "Enabled", "service": p.service, "servicePlanId": p.id})
	}
	upn := nick + "@" + g.o.Domain
	u := &User{ID: t.NewGUID(), UPN: upn}
	u.Props = Props{
		"id":                              u.ID,
		"userPrincipalName":               upn,
		"displayName":                     pn.display,
		"givenName":                       pn.given,
		"surname":                         pn.surname,
		"mail":                            upn,
		"mailNickname":                    nick,
		"otherMails":                      []any{},
		"proxyAddresses":                  []any{"SMTP:" + upn, "smtp:" + nick + "@" + g.initial},
		"jobTitle":                        pick(r, dept.titles),
		"department":                      dept.name,
		"companyName":                     t.DisplayName,
		"employeeId":                      fmt.Sprintf("E%05d", 1000+i),
		"officeLocation":                  fmt.Sprintf("Building %d / %d", 1+r.intn(5), 100+r.intn(400)),
		"city":                            pn.city,
		"country":                         pn.country,
		"usageLocation":                   pn.country,
		"preferredLanguage":               pn.lang,
		"businessPhones":                  []any{fmt.Sprintf("+1 425 555 %04d", 100+i)},
		"mobilePhone":                     nil,
		"accountEnabled":                  i%10 != 4, // every tenth member has left but keeps a mailbox
		"createdDateTime":                 Timestamp(created),
		"userType":                        "Member",
		"creationType":                    nil,
		"externalUserState":               nil,
		"onPremisesSyncEnabled":           nil,
		"passwordPolicies":                nil,
		"assignedLicenses":                []any{Props{"disabledPlans": []any{}, "skuId": sku.id}},
		"assignedPlans":                   plans,
		"signInSessionsValidFromDateTime": Timestamp(created),
	}
	if r.chance(0.6) {
		u.Props["mobilePhone"] = fmt.Sprintf("+1 206 555 %04d", r.intn(10000))
	}
	return u
}

// guest adds an invited external user with a "#EXT#" UPN and no mailbox.
func (g *generator) guest() {
	t := g.t
	ext := "dana.lee_fabrikam.example#EXT#@" + g.initial
	u := &User{ID: t.NewGUID(), UPN: ext}
	created := Timestamp(t.Created.AddDate(1, 2, 3))
	u.Props = Props{
		"id": u.ID, "userPrincipalName": ext, "displayName": "Dana Lee (Fabrikam)",
		"givenName": "Dana", "surname": "Lee", "mail": "dana.lee@fabrikam.example",
		"mailNickname": "dana.lee_fabrikam.example#EXT#", "otherMails": []any{"dana.lee@fabrikam.example"},
		"proxyAddresses": []any{"SMTP:dana.lee@fabrikam.example"}, "jobTitle": nil, "department": nil,
		"usageLocation": nil, "preferredLanguage": nil, "businessPhones": []any{}, "mobilePhone": nil,
		"accountEnabled": true, "createdDateTime": created, "userType": "Guest",
		"creationType": "Invitation", "externalUserState": "Accepted", "externalUserStateChangeDateTime": created,
		"onPremisesSyncEnabled": nil, "assignedLicenses": []any{}, "assignedPlans": []any{},
	}
	t.AddUser(u)
}

// groups adds Microsoft 365 groups and security groups with members.
// https://learn.microsoft.com/graph/api/resources/group
func (g *generator) groups() {
	byDept := map[string][]string{}
	var all, admins []string
	for _, u := range g.members {
		all = append(all, u.ID)
		d, _ := u.Props["department"].(string)
		byDept[d] = append(byDept[d], u.ID)
		if d == "IT" || len(admins) == 0 {
			admins = append(admins, u.ID)
		}
	}
	half := all[:(len(all)+1)/2]
	specs := []struct {
		name, nick, desc string
		unified, public  bool
		team             bool
		members          []string
	}{
		{"All Company", "allcompany", "Everyone at " + g.t.DisplayName, true, true, true, all},
		{"Projet Phénix 🚀", "projet-phenix", "Équipe projet – accès restreint", true, false, true, half},
		{"Finance & Controlling", "finance", "Finance department", true, false, false, byDept["Finance"]},
		{"SG-VPN-Users", "sg-vpn-users", "Allowed to use the VPN", false, false, false, all},
		{"SG-Admins (Tier 0)", "sg-admins-tier0", "Privileged administrators", false, false, false, admins},
	}
	for _, s := range specs {
		if len(s.members) == 0 && len(all) > 0 {
			s.members = all[:1] // a group keeps its creator as a member
		}
		id := g.t.NewGUID()
		p := Props{
			"id": id, "displayName": s.name, "description": s.desc, "mailNickname": s.nick,
			"createdDateTime": Timestamp(g.t.Created.AddDate(0, 1, 0)), "renewedDateTime": Timestamp(g.t.Created.AddDate(0, 1, 0)),
			"classification": nil, "expirationDateTime": nil, "onPremisesSyncEnabled": nil,
			"resourceProvisioningOptions": []any{}, "isAssignableToRole": nil,
			"securityIdentifier": fmt.Sprintf("S-1-12-1-%d-%d-%d-%d", SeedOf(id, 1)%4294967296, SeedOf(id, 2)%4294967296, SeedOf(id, 3)%4294967296, SeedOf(id, 4)%4294967296),
		}
		if s.unified {
			mail := s.nick + "@" + g.o.Domain
			vis := "Private"
			if s.public {
				vis = "Public"
			}
			p["groupTypes"], p["mailEnabled"], p["securityEnabled"] = []any{"Unified"}, true, false
			p["mail"], p["visibility"] = mail, vis
			p["proxyAddresses"] = []any{"SMTP:" + mail, "smtp:" + s.nick + "@" + g.initial}
			if s.team {
				p["resourceProvisioningOptions"] = []any{"Team"}
			}
		} else {
			p["groupTypes"], p["mailEnabled"], p["securityEnabled"] = []any{}, false, true
			p["mail"], p["visibility"], p["proxyAddresses"] = nil, nil, []any{}
			if s.nick == "sg-admins-tier0" {
				p["isAssignableToRole"] = true
			}
		}
		g.t.AddGroup(&Group{ID: id, Props: p, Members: append([]string(nil), s.members...)})
	}
}
