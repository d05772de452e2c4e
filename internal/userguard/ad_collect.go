package userguard

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/go-ldap/ldap/v3"

	"github.com/safeguard365/safeguard365/internal/posture"
)

// LDAP filters and attributes of the collection. The rule that reads each
// attribute is in docs/inventory.md.
const (
	filterUsers     = "(&(objectCategory=person)(objectClass=user))"
	filterComputers = "(objectCategory=computer)"
	filterGroups    = "(objectClass=group)"
	filterTrusts    = "(objectClass=trustedDomain)"
	filterFGPP      = "(objectClass=msDS-PasswordSettings)"
	// matchingRuleInChain is LDAP_MATCHING_RULE_IN_CHAIN: memberOf matches
	// through nested groups.
	matchingRuleInChain = "1.2.840.113556.1.4.1941"
	// sdFlagsDACL asks for the DACL only: a reader may not read the owner
	// or SACL, and without the control AD returns nothing to such readers.
	sdFlagsDACL = 0x4
)

var accountAttrs = []string{"distinguishedName", "sAMAccountName", "objectSid", "userAccountControl",
	"primaryGroupID", "adminCount", "servicePrincipalName", "msDS-AllowedToDelegateTo",
	"msDS-AllowedToActOnBehalfOfOtherIdentity", "sIDHistory", "msDS-SupportedEncryptionTypes",
	"pwdLastSet", "lastLogonTimestamp", "whenCreated"}

var computerAttrs = append(slices.Clone(accountAttrs), "operatingSystem", "operatingSystemVersion",
	"ms-Mcs-AdmPwdExpirationTime", "msLAPS-PasswordExpirationTime")

// userAccountControl bits (MS-ADTS 2.2.16).
const (
	uacAccountDisable  = 0x2
	uacServerTrust     = 0x2000
	uacPartialSecrets  = 0x4000000
	uacTrustedForDeleg = 0x80000
)

// wellKnownGroups maps a relative SID (domain groups) or full SID (builtin
// groups) to its WellKnown name and whether it is privileged.
var wellKnownGroups = []struct {
	rid        int    // domain-relative RID, or 0
	sid        string // builtin SID, or ""
	name       string
	privileged bool
}{
	{512, "", "domainAdmins", true},
	{519, "", "enterpriseAdmins", true},
	{518, "", "schemaAdmins", true},
	{520, "", "groupPolicyCreatorOwners", true},
	{526, "", "keyAdmins", true},
	{527, "", "enterpriseKeyAdmins", true},
	{0, "S-1-5-32-544", "administrators", true},
	{0, "S-1-5-32-548", "accountOperators", true},
	{0, "S-1-5-32-549", "serverOperators", true},
	{0, "S-1-5-32-550", "printOperators", true},
	{0, "S-1-5-32-551", "backupOperators", true},
	{525, "", "protectedUsers", false},
}

// wellKnownSIDs names principals that are not directory objects.
var wellKnownSIDs = map[string]string{
	"S-1-1-0": "Everyone", "S-1-3-0": "CREATOR OWNER", "S-1-5-7": "ANONYMOUS LOGON",
	"S-1-5-9": "Enterprise Domain Controllers", "S-1-5-10": "SELF", "S-1-5-11": "Authenticated Users",
	"S-1-5-18": "SYSTEM",
}

// CollectAD reads the domain cfg points at and returns an inventory whose
// activeDirectory source holds the ADInventory; tenant.id is the domain SID.
// Connection, TLS and bind failures are returned as errors (ErrADConfig,
// ErrADAuth); a failed optional read leaves its field unknown: no
// fine-grained policies, recycleBinEnabled and replicationRights null.
func CollectAD(ctx context.Context, cfg ADConfig) (*posture.Inventory, *ADInventory, error) {
	now := cfg.Now
	if now == nil {
		now = time.Now
	}
	conn, err := dialAD(ctx, cfg)
	if err != nil {
		return nil, nil, err
	}
	defer conn.Close()
	ad, err := collect(ctx, conn, cfg.BaseDN)
	if err != nil {
		return nil, nil, err
	}
	inv := &posture.Inventory{SchemaVersion: posture.InventorySchemaVersion, CollectedAt: now().UTC(),
		Collector: "sg365 userguard ad",
		Tenant:    posture.Tenant{ID: ad.Domain.SID, DisplayName: ad.Domain.DNSName, DefaultDomain: ad.Domain.DNSName}}
	if err := inv.SetSource(ADSourceKey, ad); err != nil {
		return nil, nil, err
	}
	st := inv.Sources[ADSourceKey]
	st.Endpoint = "LDAP " + ad.Domain.DistinguishedName
	inv.Sources[ADSourceKey] = st
	return inv, ad, nil
}

func collect(ctx context.Context, conn *adConn, base string) (*ADInventory, error) {
	root, err := conn.read(ctx, "", []string{"defaultNamingContext", "configurationNamingContext",
		"schemaNamingContext", "domainFunctionality", "forestFunctionality"})
	if err != nil {
		return nil, fmt.Errorf("rootDSE: %w", err)
	}
	if base == "" {
		base = root.GetAttributeValue("defaultNamingContext")
	}
	ad := &ADInventory{Users: []ADAccount{}, Computers: []ADAccount{}, Groups: []ADGroup{}, Trusts: []ADTrust{},
		PasswordPolicies: []ADPasswordPolicy{}}
	d := &ad.Domain
	d.DistinguishedName = base
	d.DNSName = dnsNameOf(base)
	d.DomainFunctionality = atoi(root.GetAttributeValue("domainFunctionality"))
	d.ForestFunctionality = atoi(root.GetAttributeValue("forestFunctionality"))
	if err := readDomainHead(ctx, conn, d); err != nil {
		return nil, err
	}
	names := map[string]string{}
	for sid, n := range wellKnownSIDs {
		names[sid] = n
	}
	for _, spec := range []struct {
		filter string
		attrs  []string
		into   *[]ADAccount
	}{{filterUsers, accountAttrs, &ad.Users}, {filterComputers, computerAttrs, &ad.Computers}} {
		entries, err := conn.search(ctx, base, ldap.ScopeWholeSubtree, spec.filter, spec.attrs)
		if err != nil {
			return nil, err
		}
		for _, e := range entries {
			a, err := decodeAccount(e)
			if err != nil {
				return nil, err
			}
			names[a.SID] = a.SAMAccountName
			*spec.into = append(*spec.into, a)
		}
	}
	if err := readGroups(ctx, conn, base, ad, names); err != nil {
		return nil, err
	}
	for _, list := range [][]ADAccount{ad.Users, ad.Computers} {
		for i := range list {
			for j, p := range list[i].AllowedToActOnBehalfOf {
				list[i].AllowedToActOnBehalfOf[j].SAMAccountName = names[p.SID]
			}
		}
	}
	for i, r := range d.ReplicationRights {
		d.ReplicationRights[i].Name = names[r.SID]
	}
	if ad.Trusts, err = readTrusts(ctx, conn, base); err != nil {
		return nil, err
	}
	// The rest is best effort: the objects may be absent or unreadable for
	// a least-privileged reader, and the rules treat unknown as unknown.
	ad.PasswordPolicies = readFGPP(ctx, conn, base)
	configNC := root.GetAttributeValue("configurationNamingContext")
	if e, err := conn.read(ctx, "CN=Recycle Bin Feature,CN=Optional Features,CN=Directory Service,CN=Windows NT,CN=Services,"+configNC,
		[]string{"msDS-EnabledFeatureBL"}); err == nil {
		on := len(e.GetAttributeValues("msDS-EnabledFeatureBL")) > 0
		d.RecycleBinEnabled = &on
	} else if ctx.Err() != nil {
		return nil, ctx.Err()
	}
	if schema := root.GetAttributeValue("schemaNamingContext"); schema != "" {
		entries, err := conn.search(ctx, schema, ldap.ScopeSingleLevel,
			"(|(lDAPDisplayName=ms-Mcs-AdmPwd)(lDAPDisplayName=msLAPS-Password))", []string{"lDAPDisplayName"})
		if err != nil {
			return nil, fmt.Errorf("schema: %w", err) // a failed read must not look like "LAPS not installed"
		}
		for _, e := range entries {
			switch strings.ToLower(e.GetAttributeValue("lDAPDisplayName")) {
			case "ms-mcs-admpwd":
				d.LAPSLegacySchema = true
			case "mslaps-password":
				d.LAPSWindowsSchema = true
			}
		}
	}
	return ad, nil
}

// readDomainHead reads the password policy, machine account quota, SID
// and the DACL's replication rights from the domain object.
func readDomainHead(ctx context.Context, conn *adConn, d *ADDomain) error {
	sdflags := &ldap.ControlMicrosoftSDFlags{ControlValue: sdFlagsDACL}
	e, err := conn.read(ctx, d.DistinguishedName, []string{"objectSid", "minPwdLength", "pwdHistoryLength", "maxPwdAge",
		"lockoutThreshold", "lockoutDuration", "pwdProperties", "ms-DS-MachineAccountQuota", "nTSecurityDescriptor"}, sdflags)
	if err != nil {
		return fmt.Errorf("domain head: %w", err)
	}
	if d.SID, _, err = decodeSID(e.GetRawAttributeValue("objectSid")); err != nil {
		return fmt.Errorf("domain head %s: %w", d.DistinguishedName, err)
	}
	d.MinPwdLength = atoi(e.GetAttributeValue("minPwdLength"))
	d.PwdHistoryLength = atoi(e.GetAttributeValue("pwdHistoryLength"))
	if m := intervalMinutes(e.GetAttributeValue("maxPwdAge")); m > 0 {
		d.MaxPwdAgeDays = m / (24 * 60)
	}
	d.LockoutThreshold = atoi(e.GetAttributeValue("lockoutThreshold"))
	d.LockoutDurationMinutes = intervalMinutes(e.GetAttributeValue("lockoutDuration"))
	d.PwdProperties = atoi(e.GetAttributeValue("pwdProperties"))
	d.MachineAccountQuota = atoi(e.GetAttributeValue("ms-DS-MachineAccountQuota"))
	// Without the descriptor (a reader denied READ_CONTROL) the rights stay
	// nil, which SG.AD.20 reports as unknown rather than as "nobody".
	if sd := e.GetRawAttributeValue("nTSecurityDescriptor"); len(sd) > 0 {
		aces, err := allowedACEs(sd)
		if err != nil {
			return fmt.Errorf("domain head %s: %w", d.DistinguishedName, err)
		}
		d.ReplicationRights = replicationRights(aces)
	}
	return nil
}

func decodeAccount(e *ldap.Entry) (ADAccount, error) {
	a := ADAccount{DistinguishedName: e.DN, SAMAccountName: e.GetAttributeValue("sAMAccountName"),
		ServicePrincipalName:   nz(e.GetAttributeValues("servicePrincipalName")),
		AllowedToDelegateTo:    nz(e.GetAttributeValues("msDS-AllowedToDelegateTo")),
		AllowedToActOnBehalfOf: []ADPrincipal{}, SIDHistory: []string{}}
	sid, _, err := decodeSID(e.GetRawAttributeValue("objectSid"))
	if err != nil {
		return a, fmt.Errorf("%s: objectSid: %w", e.DN, err)
	}
	a.SID, a.RID = sid, sidRID(sid)
	a.UserAccountControl, _ = strconv.ParseInt(e.GetAttributeValue("userAccountControl"), 10, 64)
	a.Enabled = a.UserAccountControl&uacAccountDisable == 0
	a.IsDomainController = a.UserAccountControl&(uacServerTrust|uacPartialSecrets) != 0
	a.PrimaryGroupID = atoi(e.GetAttributeValue("primaryGroupID"))
	a.AdminCount = atoi(e.GetAttributeValue("adminCount"))
	for _, raw := range e.GetRawAttributeValues("sIDHistory") {
		s, _, err := decodeSID(raw)
		if err != nil {
			return a, fmt.Errorf("%s: sIDHistory: %w", e.DN, err)
		}
		a.SIDHistory = append(a.SIDHistory, s)
	}
	if sd := e.GetRawAttributeValue("msDS-AllowedToActOnBehalfOfOtherIdentity"); len(sd) > 0 {
		aces, err := allowedACEs(sd)
		if err != nil {
			return a, fmt.Errorf("%s: msDS-AllowedToActOnBehalfOfOtherIdentity: %w", e.DN, err)
		}
		for _, x := range aces {
			if !slices.ContainsFunc(a.AllowedToActOnBehalfOf, func(p ADPrincipal) bool { return p.SID == x.SID }) {
				a.AllowedToActOnBehalfOf = append(a.AllowedToActOnBehalfOf, ADPrincipal{SID: x.SID})
			}
		}
	}
	if v := e.GetAttributeValue("msDS-SupportedEncryptionTypes"); v != "" {
		n := atoi(v)
		a.SupportedEncryptionTypes = &n
	}
	a.PwdLastSet = parseFileTime(e.GetAttributeValue("pwdLastSet"))
	a.LastLogonTimestamp = parseFileTime(e.GetAttributeValue("lastLogonTimestamp"))
	a.WhenCreated = parseGeneralizedTime(e.GetAttributeValue("whenCreated"))
	a.OperatingSystem = e.GetAttributeValue("operatingSystem")
	a.OperatingSystemVersion = e.GetAttributeValue("operatingSystemVersion")
	a.LAPSManaged = e.GetAttributeValue("ms-Mcs-AdmPwdExpirationTime") != "" || e.GetAttributeValue("msLAPS-PasswordExpirationTime") != ""
	return a, nil
}

// readGroups finds the well-known groups by SID and lists their transitive
// account members: memberOf IN_CHAIN, plus accounts whose primaryGroupID
// is the group (primary membership is not in member/memberOf).
func readGroups(ctx context.Context, conn *adConn, base string, ad *ADInventory, names map[string]string) error {
	entries, err := conn.search(ctx, base, ldap.ScopeWholeSubtree, filterGroups, []string{"sAMAccountName", "objectSid"})
	if err != nil {
		return err
	}
	bySID := map[string]*ldap.Entry{}
	for _, e := range entries {
		sid, _, err := decodeSID(e.GetRawAttributeValue("objectSid"))
		if err != nil {
			return fmt.Errorf("%s: objectSid: %w", e.DN, err)
		}
		bySID[sid] = e
		names[sid] = e.GetAttributeValue("sAMAccountName")
	}
	for _, wk := range wellKnownGroups {
		sid := wk.sid
		if wk.rid != 0 {
			sid = ad.Domain.SID + "-" + strconv.Itoa(wk.rid)
		}
		e, ok := bySID[sid]
		if !ok {
			continue // e.g. Enterprise Admins outside the forest root domain
		}
		g := ADGroup{DistinguishedName: e.DN, SAMAccountName: e.GetAttributeValue("sAMAccountName"), SID: sid,
			WellKnown: wk.name, Privileged: wk.privileged, Members: []string{}}
		filter := fmt.Sprintf("(&(|(objectClass=user)(objectClass=computer))(memberOf:%s:=%s))", matchingRuleInChain, ldap.EscapeFilter(e.DN))
		members, err := conn.search(ctx, base, ldap.ScopeWholeSubtree, filter, []string{"distinguishedName"})
		if err != nil {
			return fmt.Errorf("members of %s: %w", e.DN, err)
		}
		for _, m := range members {
			g.Members = append(g.Members, m.DN)
		}
		if wk.rid != 0 {
			for _, list := range [][]ADAccount{ad.Users, ad.Computers} {
				for _, a := range list {
					if a.PrimaryGroupID == wk.rid && !slices.Contains(g.Members, a.DistinguishedName) {
						g.Members = append(g.Members, a.DistinguishedName)
					}
				}
			}
		}
		slices.Sort(g.Members)
		ad.Groups = append(ad.Groups, g)
	}
	return nil
}

func readTrusts(ctx context.Context, conn *adConn, base string) ([]ADTrust, error) {
	entries, err := conn.search(ctx, base, ldap.ScopeWholeSubtree, filterTrusts, []string{"trustPartner", "flatName",
		"securityIdentifier", "trustDirection", "trustType", "trustAttributes", "msDS-SupportedEncryptionTypes"})
	if err != nil {
		return nil, fmt.Errorf("trusts: %w", err)
	}
	out := []ADTrust{}
	for _, e := range entries {
		t := ADTrust{DistinguishedName: e.DN, TrustPartner: e.GetAttributeValue("trustPartner"), FlatName: e.GetAttributeValue("flatName"),
			TrustDirection: atoi(e.GetAttributeValue("trustDirection")), TrustType: atoi(e.GetAttributeValue("trustType")),
			TrustAttributes: atoi(e.GetAttributeValue("trustAttributes"))}
		if raw := e.GetRawAttributeValue("securityIdentifier"); len(raw) > 0 {
			t.SID, _, _ = decodeSID(raw)
		}
		if v := e.GetAttributeValue("msDS-SupportedEncryptionTypes"); v != "" {
			n := atoi(v)
			t.SupportedEncryptionTypes = &n
		}
		out = append(out, t)
	}
	return out, nil
}

func readFGPP(ctx context.Context, conn *adConn, base string) []ADPasswordPolicy {
	out := []ADPasswordPolicy{}
	entries, err := conn.search(ctx, "CN=Password Settings Container,CN=System,"+base, ldap.ScopeSingleLevel, filterFGPP,
		[]string{"name", "msDS-PasswordSettingsPrecedence", "msDS-MinimumPasswordLength", "msDS-PasswordHistoryLength",
			"msDS-LockoutThreshold", "msDS-PasswordReversibleEncryptionEnabled", "msDS-PSOAppliesTo"})
	if err != nil && !errors.Is(err, errNoSuchObject) {
		return out
	}
	for _, e := range entries {
		out = append(out, ADPasswordPolicy{DistinguishedName: e.DN, Name: e.GetAttributeValue("name"),
			Precedence:           atoi(e.GetAttributeValue("msDS-PasswordSettingsPrecedence")),
			MinPwdLength:         atoi(e.GetAttributeValue("msDS-MinimumPasswordLength")),
			PwdHistoryLength:     atoi(e.GetAttributeValue("msDS-PasswordHistoryLength")),
			LockoutThreshold:     atoi(e.GetAttributeValue("msDS-LockoutThreshold")),
			ReversibleEncryption: strings.EqualFold(e.GetAttributeValue("msDS-PasswordReversibleEncryptionEnabled"), "TRUE"),
			AppliesTo:            nz(e.GetAttributeValues("msDS-PSOAppliesTo"))})
	}
	return out
}

// dnsNameOf turns DC=corp,DC=example,DC=com into corp.example.com.
func dnsNameOf(dn string) string {
	var parts []string
	for _, rdn := range strings.Split(dn, ",") {
		k, v, ok := strings.Cut(strings.TrimSpace(rdn), "=")
		if ok && strings.EqualFold(k, "DC") {
			parts = append(parts, v)
		}
	}
	return strings.Join(parts, ".")
}

func atoi(s string) int {
	n, _ := strconv.Atoi(strings.TrimSpace(s))
	return n
}

func nz(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}
