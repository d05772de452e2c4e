package odata

import "slices"

// Rules for the collections the emulator serves. Each value cites the page
// its limits come from; where Graph's exact error text is not documented the
// comment says so and the text is ours. These values are shared: never
// modify them or their maps and slices (see Rules).

// Texts shared by the directory (Entra ID) resources.
const (
	// Observed for GET /users?$top=1000 (Q&A 1129204; the code is the one
	// SDK users report: "Request_UnsupportedQuery: Invalid page size
	// specified: '1000'. Must be between 1 and 999 inclusive.").
	directoryTopMessage = "Invalid page size specified: '%d'. Must be between 1 and %d inclusive."
	// Observed for GET /users?$skip=1 (msgraph-metadata#135); used for every
	// option a directory collection does not support.
	directoryUnsupportedCode    = "Request_BadRequest"
	directoryUnsupportedMessage = "'%s' is not supported by the service."
)

// Texts shared by the Outlook (Exchange) resources.
const (
	// Widely observed answer to a $filter Exchange cannot run (endswith,
	// any() on recipients); not on a docs page.
	exchangeFilterCode    = "ErrorInvalidUrlQueryFilter"
	exchangeFilterMessage = "The query filter contains one or more invalid nodes."
	// Outlook's answer to $top above 1000 is not documented; the directory
	// wording is reused with Outlook's bound.
	exchangeTopMessage = "Invalid page size specified: '%d'. Must be between 1 and %d inclusive."
)

// directoryAdvancedOps need ConsistencyLevel: eventual and $count=true on
// every directory property: "The not and ne negation operators are
// supported only with advanced query parameters", endsWith likewise, and
// /$count in a filter.
// https://learn.microsoft.com/en-us/graph/aad-advanced-queries#support-for-filter-by-properties-of-microsoft-entra-id-directory-objects
var directoryAdvancedOps = ops("ne not endswith $count")

// directoryOps are the $filter operators Entra ID implements. gt and lt do
// not appear in its tables; all "isn't supported in Microsoft Graph"
// (filter-query-parameter#all-operator).
var directoryOps = ops("and or not eq ne ge le in startswith endswith any $count")

// dirProp builds a directory PropRule from the documented default and
// advanced-only operators, applying two documented blanket rules: "All
// properties that support the eq operator also support the ne or not
// operators" (advanced), and "The in operator is supported by default
// whenever eq operator is supported by default" unless the property's row
// says otherwise (createdDateTime: in is advanced).
func dirProp(def, adv string) PropRule {
	r := PropRule{Ops: ops(def), Advanced: ops(adv)}
	if slices.Contains(r.Ops, "eq") {
		if !slices.Contains(r.Advanced, "in") {
			r.Ops = append(r.Ops, "in")
		}
		r.Advanced = append(r.Advanced, "ne")
	} else if slices.Contains(r.Advanced, "eq") {
		r.Advanced = append(r.Advanced, "ne")
	}
	return r
}

// Users is GET /users.
// https://learn.microsoft.com/en-us/graph/api/user-list (default 100,
// maximum 999 users per page, $skip not supported);
// property support from the filter table of
// https://learn.microsoft.com/en-us/graph/aad-advanced-queries (user).
// The 500-per-page limit when signInActivity is selected is not modelled.
var Users = Rules{
	Resource:           "User",
	Doc:                "https://learn.microsoft.com/en-us/graph/api/user-list",
	Directory:          true,
	DefaultTop:         100,
	MaxTop:             999,
	TopCode:            codeUnsupportedQuery,
	TopMessage:         directoryTopMessage,
	Options:            []string{OptCount, OptExpand, OptFilter, OptOrderBy, OptSearch, OptSelect, OptTop, OptSkipToken, OptFormat},
	UnsupportedCode:    directoryUnsupportedCode,
	UnsupportedMessage: directoryUnsupportedMessage,
	Filter: FilterRules{
		Ops:         directoryOps,
		AdvancedOps: directoryAdvancedOps,
		Props: map[string]PropRule{
			"accountEnabled":                dirProp("eq", "ge le"),
			"ageGroup":                      dirProp("eq", ""),
			"assignedLicenses":              dirProp("eq", ""),
			"assignedPlans":                 dirProp("eq", ""),
			"businessPhones":                dirProp("eq", "startswith"),
			"city":                          dirProp("eq ge startswith", ""),
			"companyName":                   dirProp("", "eq ge le in startswith"),
			"country":                       dirProp("eq ge le startswith", ""),
			"createdDateTime":               dirProp("eq ge le", "in"),
			"creationType":                  dirProp("eq", ""),
			"department":                    dirProp("eq ge le startswith", ""),
			"displayName":                   dirProp("eq startswith", ""),
			"employeeHireDate":              dirProp("", "eq ge le in"),
			"employeeId":                    dirProp("eq startswith", "le"),
			"employeeType":                  dirProp("", "eq ge le in startswith"),
			"givenName":                     dirProp("eq ge le startswith", ""),
			"id":                            dirProp("eq", ""),
			"identities":                    dirProp("eq", ""),
			"imAddresses":                   dirProp("eq ge le startswith", ""),
			"jobTitle":                      dirProp("eq ge le", ""),
			"mail":                          dirProp("eq ge le startswith", "endswith"),
			"mailNickname":                  dirProp("eq ge le startswith", ""),
			"mobilePhone":                   dirProp("", "eq ge le in startswith"),
			"officeLocation":                dirProp("", "eq ge le in startswith"),
			"onPremisesExtensionAttributes": dirProp("", "eq ge le in"),
			"onPremisesImmutableId":         dirProp("", "eq ge le in"),
			"onPremisesSamAccountName":      dirProp("", "eq ge le in startswith"),
			"onPremisesSyncEnabled":         dirProp("eq", "ge le"),
			"otherMails":                    dirProp("eq ge le startswith", "endswith"),
			"postalCode":                    dirProp("", "eq ge le in startswith"),
			"preferredLanguage":             dirProp("", "eq ge le in startswith"),
			"proxyAddresses":                dirProp("eq ge le startswith", "endswith"),
			"signInActivity":                dirProp("eq ge le", ""),
			"state":                         dirProp("eq ge le startswith", ""),
			"streetAddress":                 dirProp("", "eq ge le in startswith"),
			"surname":                       dirProp("eq ge le startswith", ""),
			"usageLocation":                 dirProp("eq ge le startswith", ""),
			"userPrincipalName":             dirProp("eq le startswith", "endswith"),
			"userType":                      dirProp("eq", ""),
		},
	},
	// aad-advanced-queries, "Support for sorting by properties".
	OrderBy: []OrderRule{
		{Path: "displayName"},
		{Path: "userPrincipalName"},
		{Path: "createdDateTime", Advanced: true},
		{Path: "deletedDateTime", Advanced: true},
	},
}

// Groups is GET /groups.
// https://learn.microsoft.com/en-us/graph/api/group-list (default 100,
// maximum 999, $skip not supported); property support from the group
// resource page (https://learn.microsoft.com/en-us/graph/api/resources/group).
// createdDateTime is left out: aad-advanced-queries shows
// "$filter=createdDateTime ge 2021-11-01" on groups failing even as an
// advanced query, with "Unsupported or invalid query filter clause
// specified for property 'createdDateTime' of resource 'Group'.".
var Groups = Rules{
	Resource:           "Group",
	Doc:                "https://learn.microsoft.com/en-us/graph/api/group-list",
	Directory:          true,
	DefaultTop:         100,
	MaxTop:             999,
	TopCode:            codeUnsupportedQuery,
	TopMessage:         directoryTopMessage,
	Options:            []string{OptCount, OptExpand, OptFilter, OptOrderBy, OptSearch, OptSelect, OptTop, OptSkipToken, OptFormat},
	UnsupportedCode:    directoryUnsupportedCode,
	UnsupportedMessage: directoryUnsupportedMessage,
	Filter: FilterRules{
		Ops:         directoryOps,
		AdvancedOps: directoryAdvancedOps,
		Props: map[string]PropRule{
			"assignedLicenses":            dirProp("eq", ""),
			"classification":              dirProp("eq ge le startswith", ""),
			"description":                 dirProp("eq ge le startswith", ""),
			"displayName":                 dirProp("eq ge le startswith", ""),
			"expirationDateTime":          dirProp("eq ge le", ""),
			"groupTypes":                  dirProp("eq", ""),
			"hasMembersWithLicenseErrors": dirProp("eq", ""),
			"id":                          dirProp("eq", ""),
			"isAssignableToRole":          dirProp("eq", ""),
			"mail":                        dirProp("eq ge le startswith", "endswith"),
			"mailEnabled":                 dirProp("eq", ""),
			"mailNickname":                dirProp("eq ge le startswith", ""),
			"onPremisesSyncEnabled":       dirProp("eq", ""),
			"proxyAddresses":              dirProp("eq startswith", "endswith"),
			"renewedDateTime":             dirProp("eq ge le", ""),
			"resourceProvisioningOptions": dirProp("eq", ""),
			"securityEnabled":             dirProp("eq", ""),
			"visibility":                  dirProp("eq ge le startswith", ""),
		},
	},
	OrderBy: []OrderRule{
		{Path: "displayName"},
		{Path: "deletedDateTime", Advanced: true},
	},
}

// GroupMembers is GET /groups/{id}/members, a directoryObject collection
// (users, groups, contacts, devices, service principals), so properties are
// not whitelisted; the directory operator rules still apply.
// https://learn.microsoft.com/en-us/graph/api/group-list-members
var GroupMembers = Rules{
	Resource:           "DirectoryObject",
	Doc:                "https://learn.microsoft.com/en-us/graph/api/group-list-members",
	Directory:          true,
	DefaultTop:         100,
	MaxTop:             999,
	TopCode:            codeUnsupportedQuery,
	TopMessage:         directoryTopMessage,
	Options:            []string{OptCount, OptExpand, OptFilter, OptOrderBy, OptSearch, OptSelect, OptTop, OptSkipToken, OptFormat},
	UnsupportedCode:    directoryUnsupportedCode,
	UnsupportedMessage: directoryUnsupportedMessage,
	Filter: FilterRules{
		Ops:         directoryOps,
		AdvancedOps: directoryAdvancedOps,
	},
}

// Messages is GET /users/{id}/messages and /mailFolders/{id}/messages:
// "The default page size is 10 messages. Use $top to customize the page
// size, within the range of 1 and 1000", and the $filter/$orderby rule.
// https://learn.microsoft.com/en-us/graph/api/user-list-messages
// Exchange has no endswith on mail (observed ErrorInvalidUrlQueryFilter)
// and the all lambda is not supported anywhere in Graph. $search results
// come "sorted by the date and time that the message was sent"
// (search-query-parameter); Outlook refusing $orderby or $filter beside
// $search, with "The query parameter '$orderBy' is not supported with
// '$search'.", is observed (PipedreamHQ/pipedream#19132), not documented,
// and the error code is our guess.
var Messages = Rules{
	Resource:           "Message",
	Doc:                "https://learn.microsoft.com/en-us/graph/api/user-list-messages",
	DefaultTop:         10,
	MaxTop:             1000,
	TopCode:            codeBadRequest,
	TopMessage:         exchangeTopMessage,
	SearchExcludes:     []string{OptFilter, OptOrderBy},
	Filter:             exchangeFilter(),
	OrderByLeadsFilter: true,
}

// exchangeFilter is the $filter policy of the Outlook collections: any
// property, the operators Exchange implements.
func exchangeFilter() FilterRules {
	return FilterRules{
		Ops:     ops("and or not eq ne gt ge lt le in startswith contains any"),
		Code:    exchangeFilterCode,
		Message: exchangeFilterMessage,
	}
}

// MailFolders is GET /users/{id}/mailFolders (and childFolders): default
// page size 10 ("If a collection exceeds the default page size (10
// items)"). The maximum is not documented; Outlook's 1000 is assumed.
// https://learn.microsoft.com/en-us/graph/api/user-list-mailfolders
var MailFolders = Rules{
	Resource:   "MailFolder",
	Doc:        "https://learn.microsoft.com/en-us/graph/api/user-list-mailfolders",
	DefaultTop: 10,
	MaxTop:     1000,
	TopCode:    codeBadRequest,
	TopMessage: exchangeTopMessage,
	Filter:     exchangeFilter(),
}

// Events is GET /users/{id}/events: Outlook's default page of 10; the
// maximum is not documented, Outlook's 1000 is assumed.
// https://learn.microsoft.com/en-us/graph/api/user-list-events
var Events = Rules{
	Resource:   "Event",
	Doc:        "https://learn.microsoft.com/en-us/graph/api/user-list-events",
	DefaultTop: 10,
	MaxTop:     1000,
	TopCode:    codeBadRequest,
	TopMessage: exchangeTopMessage,
	Filter:     exchangeFilter(),
}

// Contacts is GET /users/{id}/contacts (and contactFolders/{id}/contacts):
// Outlook's default page of 10; the maximum is not documented, Outlook's
// 1000 is assumed.
// https://learn.microsoft.com/en-us/graph/api/user-list-contacts
var Contacts = Rules{
	Resource:   "Contact",
	Doc:        "https://learn.microsoft.com/en-us/graph/api/user-list-contacts",
	DefaultTop: 10,
	MaxTop:     1000,
	TopCode:    codeBadRequest,
	TopMessage: exchangeTopMessage,
	Filter:     exchangeFilter(),
}

// DriveChildren is GET /drives/{id}/items/{id}/children: "This method
// supports the $expand, $select, $skipToken, $top and $orderby OData query
// parameters", default page 200.
// https://learn.microsoft.com/en-us/graph/api/driveitem-list-children
// The 1000 maximum is from the OneDrive maintainers
// (OneDrive/onedrive-api-docs#170, #319); the error text is the one a 2015
// service returned (#74) with today's bound, and the code is OneDrive's
// usual invalidRequest (an inference).
var DriveChildren = Rules{
	Resource:   "DriveItem",
	Doc:        "https://learn.microsoft.com/en-us/graph/api/driveitem-list-children",
	DefaultTop: 200,
	MaxTop:     1000,
	TopCode:    "invalidRequest",
	TopMessage: "The limit of '%[2]d' for Top query has been exceeded",
	Options:    []string{OptExpand, OptSelect, OptSkipToken, OptTop, OptOrderBy, OptFormat},
	// OneDrive's wording for an unsupported option is not documented.
	UnsupportedCode:    "invalidRequest",
	UnsupportedMessage: "The query option '%s' is not supported.",
}

// UsersDelta is GET /users/delta: "The only supported $filter expression
// is for tracking changes on a specific object: $filter=id+eq+{value}. You
// can filter multiple objects … There is a limit of 50 filtered objects."
// $top, $orderby and $expand are not supported.
// https://learn.microsoft.com/en-us/graph/api/user-delta
var UsersDelta = Rules{
	Resource:           "User",
	Doc:                "https://learn.microsoft.com/en-us/graph/api/user-delta",
	Directory:          true,
	Options:            []string{OptSelect, OptFilter, OptSkipToken, OptDeltaToken},
	UnsupportedCode:    directoryUnsupportedCode,
	UnsupportedMessage: directoryUnsupportedMessage,
	Filter:             idListFilter(),
}

// GroupsDelta is GET /groups/delta: the same id-only filter as users, and
// $expand=members is how membership changes are tracked.
// https://learn.microsoft.com/en-us/graph/api/group-delta
var GroupsDelta = Rules{
	Resource:           "Group",
	Doc:                "https://learn.microsoft.com/en-us/graph/api/group-delta",
	Directory:          true,
	Options:            []string{OptSelect, OptFilter, OptExpand, OptSkipToken, OptDeltaToken},
	UnsupportedCode:    directoryUnsupportedCode,
	UnsupportedMessage: directoryUnsupportedMessage,
	Filter:             idListFilter(),
}

// idListFilter allows only "id eq '…' or id eq '…'" with at most 50 ids.
// Graph's text for 51 ids is not documented; ours names the limit.
func idListFilter() FilterRules {
	return FilterRules{
		Props:        map[string]PropRule{"id": {Ops: ops("eq")}},
		Ops:          ops("eq or"),
		MaxTerms:     50,
		TermsCode:    codeUnsupportedQuery,
		TermsMessage: "The $filter of a delta query can name at most %d objects.",
	}
}

// MessagesDelta is GET /mailFolders/{id}/messages/delta: "The only
// supported $filter expressions are $filter=receivedDateTime+ge+{value} or
// $filter=receivedDateTime+gt+{value}", "The only supported $orderby
// expression is $orderby=receivedDateTime+desc", "There is no support for
// $search"; $select, $top and $expand are supported.
// https://learn.microsoft.com/en-us/graph/delta-query-messages
var MessagesDelta = Rules{
	Resource:   "Message",
	Doc:        "https://learn.microsoft.com/en-us/graph/delta-query-messages",
	MaxTop:     1000,
	TopCode:    codeBadRequest,
	TopMessage: exchangeTopMessage,
	Options:    []string{OptSelect, OptTop, OptExpand, OptFilter, OptOrderBy, OptSkipToken, OptDeltaToken},
	Filter: FilterRules{
		Props:   map[string]PropRule{"receivedDateTime": {Ops: ops("ge gt")}},
		Ops:     ops("ge gt"),
		Code:    exchangeFilterCode,
		Message: exchangeFilterMessage,
	},
	OrderBy: []OrderRule{{Path: "receivedDateTime", Dir: "desc"}},
}

// CalendarViewDelta is GET /users/{id}/calendarView/delta: "You cannot use
// $select … other OData query parameters that the delta function for
// calendarView doesn't support: $expand, $filter, $orderby, and $search."
// Page size comes from Prefer: odata.maxpagesize, not $top.
// https://learn.microsoft.com/en-us/graph/api/event-delta
var CalendarViewDelta = Rules{
	Resource: "Event",
	Doc:      "https://learn.microsoft.com/en-us/graph/api/event-delta",
	Options:  []string{OptSkipToken, OptDeltaToken},
}

// DriveDelta is GET /drives/{id}/root/delta: "This method supports the
// $select, $expand, and $top OData query parameters"; the token is the
// custom parameter token (Query.Custom), not $deltatoken.
// https://learn.microsoft.com/en-us/graph/api/driveitem-delta
var DriveDelta = Rules{
	Resource:           "DriveItem",
	Doc:                "https://learn.microsoft.com/en-us/graph/api/driveitem-delta",
	MaxTop:             DriveChildren.MaxTop,
	TopCode:            DriveChildren.TopCode,
	TopMessage:         DriveChildren.TopMessage,
	Options:            []string{OptSelect, OptExpand, OptTop},
	UnsupportedCode:    DriveChildren.UnsupportedCode,
	UnsupportedMessage: DriveChildren.UnsupportedMessage,
}
