package tenant

import (
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"strings"
)

// SetIdentityAccounts holds the Defender for Identity identity accounts
// (microsoft.graph.security.user), served at
// /security/identities/identityAccounts.
const SetIdentityAccounts = "identityAccounts"

// Emulator-only properties of an identity account. Graph does not show
// them (the handlers hide them); tests and the control API read them.
const (
	// IdentityMustChangePassword is true after a forcePasswordReset: the AD
	// account's "user must change password at next logon" (pwdLastSet 0),
	// which the identityAccounts resource has no property for.
	IdentityMustChangePassword = "simMustChangePassword"
	// IdentityActionLog lists the invokeAction calls applied to the
	// account, oldest first: {action, identityProvider, accountId,
	// correlationId, dateTime, appId}.
	IdentityActionLog = "simActionLog"
)

// IdentityActionsAD returns the invokeAction actions Defender for Identity
// supports on an Active Directory account.
// https://learn.microsoft.com/en-us/graph/api/security-identityaccounts-invokeaction
func IdentityActionsAD() []any { return []any{"disable", "enable", "forcePasswordReset"} }

// identityAccounts adds a Defender for Identity identity account per
// member, in the sensors' AD domain: a hybrid identity with an Active
// Directory account and its synced Entra ID account (same UPN). It then
// adds AD-only accounts that never sync: an enabled service account and a
// disabled stale account. The on-premises SID of a member is the userSid
// its alert evidence carries (userAccount). Ids come from their own seed
// namespace, so no other generated id moves.
// https://learn.microsoft.com/en-us/graph/api/resources/security-identityaccounts
// https://learn.microsoft.com/en-us/graph/api/resources/security-user
func (s *secGen) identityAccounts() {
	label := strings.ToLower(strings.Split(s.t.DefaultDomain, ".")[0])
	dns := label + ".local" // the sensors' domainName
	n := 0
	guid := func() string {
		n++
		return seedGUID(s.seed, "identity-account", n)
	}
	for _, u := range s.members {
		if u.Deleted {
			continue
		}
		enabled, _ := u.Props["accountEnabled"].(bool)
		mail, _ := u.Props["mail"].(string)
		s.sec.Add(SetIdentityAccounts, Props{
			"@odata.type": "#microsoft.graph.security.user",
			"id":          guid(), "displayName": str(u.Props, "displayName"), "domain": dns, "isEnabled": enabled,
			"onPremisesSecurityIdentifier": s.onPremSID(u),
			"cloudSecurityIdentifier":      cloudSID(u.ID),
			"emailAddress":                 mail, "userPrincipalName": u.UPN,
			"accounts": []any{
				Props{"identifier": guid(), "identityProvider": "activeDirectory", "actions": IdentityActionsAD()},
				// Entra ID actions are out of invokeAction's scope, so none are offered.
				Props{"identifier": u.ID, "identityProvider": "entraID", "actions": []any{}},
			},
		})
	}
	adOnly := func(name, display string, rid uint64, enabled bool) {
		s.sec.Add(SetIdentityAccounts, Props{
			"@odata.type": "#microsoft.graph.security.user",
			"id":          guid(), "displayName": display, "domain": dns, "isEnabled": enabled,
			"onPremisesSecurityIdentifier": s.domainSID(rid), "cloudSecurityIdentifier": nil,
			"emailAddress": nil, "userPrincipalName": name + "@" + dns,
			"accounts": []any{Props{"identifier": guid(), "identityProvider": "activeDirectory", "actions": IdentityActionsAD()}},
		})
	}
	adOnly("svc-sql", "SQL Server service", 3101, true)
	adOnly("old.admin", "Old Admin (left 2023)", 3102, false)
}

// onPremSID is member u's SID in the on-premises domain, the same in alert
// evidence and identity accounts: a RID derived from the user id, made
// unique in the domain in member order.
func (s *secGen) onPremSID(u *User) string {
	if s.sids == nil {
		s.sids = map[*User]string{}
		for _, m := range s.members {
			s.sids[m] = s.domainSID(1100 + SeedOf(m.ID)%900)
		}
	}
	return s.sids[u]
}

// domainSID returns the domain's SID with rid, or with the next free RID
// above it (in steps of 900) when rid is taken: a RID is unique in a
// domain.
func (s *secGen) domainSID(rid uint64) string {
	if s.rids == nil {
		s.rids = map[uint64]bool{}
	}
	for s.rids[rid] {
		rid += 900
	}
	s.rids[rid] = true
	return fmt.Sprintf("S-1-5-21-1004336348-1177238915-682003330-%d", rid)
}

// cloudSID is the security identifier Entra ID derives from an object id:
// S-1-12-1- and the GUID's four little-endian 32-bit words.
func cloudSID(objectID string) string {
	raw, err := hex.DecodeString(strings.ReplaceAll(objectID, "-", ""))
	if err != nil || len(raw) != 16 {
		return ""
	}
	// GUID text order: the first three groups are little-endian in bytes.
	b := [16]byte{raw[3], raw[2], raw[1], raw[0], raw[5], raw[4], raw[7], raw[6]}
	copy(b[8:], raw[8:])
	w := func(i int) uint32 { return binary.LittleEndian.Uint32(b[i : i+4]) }
	return fmt.Sprintf("S-1-12-1-%d-%d-%d-%d", w(0), w(4), w(8), w(12))
}

// seedGUID returns a version-4-shaped GUID derived from seed, ns and n.
func seedGUID(seed uint64, ns string, n int) string {
	var raw [16]byte
	binary.BigEndian.PutUint64(raw[:8], SeedOf(seed, ns, n, 0))
	binary.BigEndian.PutUint64(raw[8:], SeedOf(seed, ns, n, 1))
	raw[6] = raw[6]&0x0f | 0x40
	raw[8] = raw[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", raw[0:4], raw[4:6], raw[6:8], raw[8:10], raw[10:16])
}
