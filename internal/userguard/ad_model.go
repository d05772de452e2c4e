package userguard

import "time"

// ADSourceKey is the inventory source that holds an ADInventory.
const ADSourceKey = "activeDirectory"

// ADInventory is one collection of an Active Directory domain, stored as the
// activeDirectory source of a posture inventory. docs/inventory.md documents
// every key. LDAP attribute names are kept where the value is unchanged;
// decoded values (SIDs, times, security descriptors) get their own names.
type ADInventory struct {
	Domain    ADDomain    `json:"domain"`
	Users     []ADAccount `json:"users"`     // objectCategory=person, objectClass=user; includes krbtgt and Guest
	Computers []ADAccount `json:"computers"` // objectCategory=computer
	// Groups are the well-known groups the rules use (privileged groups and
	// Protected Users), each with its transitive account members.
	Groups []ADGroup `json:"groups"`
	Trusts []ADTrust `json:"trusts"`
	// PasswordPolicies are the fine-grained password policies
	// (msDS-PasswordSettings objects).
	PasswordPolicies []ADPasswordPolicy `json:"fineGrainedPasswordPolicies"`
}

// ADDomain is the domain head, rootDSE and forest-wide settings.
type ADDomain struct {
	DistinguishedName   string `json:"distinguishedName"`
	DNSName             string `json:"dnsName"`
	SID                 string `json:"objectSid"`
	DomainFunctionality int    `json:"domainFunctionality"` // rootDSE; 4 = 2008 R2, 6 = 2012 R2, 7 = 2016
	ForestFunctionality int    `json:"forestFunctionality"`
	MinPwdLength        int    `json:"minPwdLength"`
	PwdHistoryLength    int    `json:"pwdHistoryLength"`
	// MaxPwdAgeDays is maxPwdAge in days; 0 means passwords never expire.
	MaxPwdAgeDays    int `json:"maxPwdAgeDays"`
	LockoutThreshold int `json:"lockoutThreshold"` // 0: accounts never lock
	// LockoutDurationMinutes is lockoutDuration in minutes; -1 means until an
	// administrator unlocks the account.
	LockoutDurationMinutes int `json:"lockoutDurationMinutes"`
	PwdProperties          int `json:"pwdProperties"` // 0x1 complexity, 0x10 store cleartext
	MachineAccountQuota    int `json:"machineAccountQuota"`
	// RecycleBinEnabled is nil when the Recycle Bin feature object was not
	// found, so the rule cannot tell.
	RecycleBinEnabled *bool `json:"recycleBinEnabled"`
	LAPSLegacySchema  bool  `json:"lapsLegacySchema"`  // ms-Mcs-AdmPwd is in the schema
	LAPSWindowsSchema bool  `json:"lapsWindowsSchema"` // msLAPS-Password is in the schema
	// ReplicationRights are the principals the domain head's DACL grants
	// DS-Replication-Get-Changes, -Get-Changes-All or full control; nil
	// (JSON null) when the descriptor could not be read.
	ReplicationRights []ADRight `json:"replicationRights"`
}

// ADRight is one principal's replication rights on the domain head.
type ADRight struct {
	SID           string `json:"sid"`
	Name          string `json:"name,omitempty"` // sAMAccountName or well-known name, when resolved
	GetChanges    bool   `json:"getChanges"`
	GetChangesAll bool   `json:"getChangesAll"`
	FullControl   bool   `json:"fullControl"` // GenericAll, or all extended rights
}

// ADAccount is a user or computer account.
type ADAccount struct {
	DistinguishedName  string `json:"distinguishedName"`
	SAMAccountName     string `json:"sAMAccountName"`
	SID                string `json:"objectSid"`
	RID                int    `json:"rid"`
	UserAccountControl int64  `json:"userAccountControl"`
	Enabled            bool   `json:"enabled"` // ACCOUNTDISABLE (0x2) not set
	PrimaryGroupID     int    `json:"primaryGroupID"`
	AdminCount         int    `json:"adminCount"`
	// IsDomainController is set for computers with SERVER_TRUST_ACCOUNT
	// (0x2000) or PARTIAL_SECRETS_ACCOUNT (0x4000000, read-only DCs).
	IsDomainController   bool     `json:"isDomainController"`
	ServicePrincipalName []string `json:"servicePrincipalName"`
	AllowedToDelegateTo  []string `json:"msDS-AllowedToDelegateTo"`
	// AllowedToActOnBehalfOf are the principals the resource-based
	// constrained delegation descriptor (msDS-AllowedToActOnBehalfOfOtherIdentity) allows.
	AllowedToActOnBehalfOf []ADPrincipal `json:"allowedToActOnBehalfOf"`
	SIDHistory             []string      `json:"sIDHistory"`
	// SupportedEncryptionTypes is msDS-SupportedEncryptionTypes, nil when unset.
	SupportedEncryptionTypes *int       `json:"msDS-SupportedEncryptionTypes"`
	PwdLastSet               *time.Time `json:"pwdLastSet"`         // nil: never set (0)
	LastLogonTimestamp       *time.Time `json:"lastLogonTimestamp"` // nil: never
	WhenCreated              *time.Time `json:"whenCreated"`
	OperatingSystem          string     `json:"operatingSystem,omitempty"`
	OperatingSystemVersion   string     `json:"operatingSystemVersion,omitempty"`
	// LAPSManaged is set for computers with a legacy or Windows LAPS
	// password expiration time.
	LAPSManaged bool `json:"lapsManaged"`
}

// ADPrincipal names a security principal by SID, resolved when collected.
type ADPrincipal struct {
	SID            string `json:"sid"`
	SAMAccountName string `json:"sAMAccountName,omitempty"`
}

// ADGroup is a well-known group with its transitive account members.
type ADGroup struct {
	DistinguishedName string `json:"distinguishedName"`
	SAMAccountName    string `json:"sAMAccountName"`
	SID               string `json:"objectSid"`
	// WellKnown names the group's role: domainAdmins, enterpriseAdmins,
	// schemaAdmins, administrators, accountOperators, serverOperators,
	// backupOperators, printOperators, keyAdmins, enterpriseKeyAdmins,
	// groupPolicyCreatorOwners or protectedUsers.
	WellKnown  string `json:"wellKnown"`
	Privileged bool   `json:"privileged"`
	// Members are the distinguished names of the user and computer accounts
	// in the group, directly or through nested groups (LDAP_MATCHING_RULE_IN_CHAIN).
	Members []string `json:"members"`
}

// ADTrust is a trustedDomain object.
type ADTrust struct {
	DistinguishedName        string `json:"distinguishedName"`
	TrustPartner             string `json:"trustPartner"`
	FlatName                 string `json:"flatName"`
	SID                      string `json:"securityIdentifier"`
	TrustDirection           int    `json:"trustDirection"`  // 1 inbound, 2 outbound, 3 both
	TrustType                int    `json:"trustType"`       // 1 downlevel, 2 uplevel, 3 MIT, 4 DCE
	TrustAttributes          int    `json:"trustAttributes"` // 0x4 quarantined, 0x8 forest, 0x20 within forest, 0x40 treat as external
	SupportedEncryptionTypes *int   `json:"msDS-SupportedEncryptionTypes"`
}

// ADPasswordPolicy is a fine-grained password policy.
type ADPasswordPolicy struct {
	DistinguishedName    string   `json:"distinguishedName"`
	Name                 string   `json:"name"`
	Precedence           int      `json:"precedence"`
	MinPwdLength         int      `json:"minPwdLength"`
	PwdHistoryLength     int      `json:"pwdHistoryLength"`
	LockoutThreshold     int      `json:"lockoutThreshold"`
	ReversibleEncryption bool     `json:"reversibleEncryption"`
	AppliesTo            []string `json:"appliesTo"` // DNs of users and groups
}
