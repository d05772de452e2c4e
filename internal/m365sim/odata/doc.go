// Package odata parses and applies the OData system query options that
// Microsoft Graph accepts ($select, $filter, $orderby, $top, $skip, $count,
// $expand, $search, $skiptoken, $deltatoken, $format), for the emulator's
// handlers. It knows nothing about HTTP servers or the tenant store: it reads
// url.Values and works on items held as generic JSON objects
// (map[string]any as encoding/json produces them).
//
// # Pieces
//
//   - Parse turns url.Values into a *Query. Option names are matched
//     case-insensitively, with or without the '$' prefix; a name that looks
//     like a system option ("$xyz") but is not one is an error, any other
//     parameter (startDateTime, changeType, token, …) lands in Query.Custom.
//     ParseRawQuery does the same from URL.RawQuery and should be preferred:
//     URL.Query() silently drops pairs containing ';', which nested $expand
//     options use.
//   - ParseFilter turns a $filter string into an *Expr tree. Expr.Eval tests
//     an item, Expr.String prints a canonical form that parses back to an
//     equal tree, and Expr.Uses / Props / Ops list what a filter touches so
//     a handler can enforce per-resource whitelists.
//   - Query.Check validates a parsed query against a Rules value (page size
//     limits, allowed options, filter properties and operators, advanced
//     query requirements, Exchange's $filter/$orderby ordering rule, delta
//     restrictions). Its second argument is whether the request carried
//     ConsistencyLevel: eventual; Check combines it with $count itself. The
//     package ships Rules for the resources the emulator serves (Users,
//     Groups, Messages, …), each citing its documentation.
//     Query.CountRequested says whether to emit @odata.count.
//   - Project applies $select, Sort applies $orderby.
//
// Every error is an *Error carrying the HTTP status, Graph error code and
// Graph's message text, so a handler can write it out unchanged.
//
// # Filter grammar
//
// The subset Graph supports: comparisons eq ne gt ge lt le; logical and, or,
// not; parentheses; startswith, endswith and contains; "in" lists; any/all
// lambdas on collections (assignedLicenses/any(x:x/skuId eq …)); property
// paths with '/' and a trailing /$count; literals 'string' (a quote inside
// is written twice), numbers, true, false, null, GUIDs, dates and
// DateTimeOffsets. Keywords and function names are case-insensitive, as
// Graph's examples ("NOT", "startsWith") require. Unlike strict OData, "not"
// binds looser than a comparison, so "not a eq 1" means "not (a eq 1)", which
// is how Graph's documented examples read.
//
// # Not implemented yet
//
//   - Arithmetic (add, sub, mul, div, mod), the has operator, isof/cast,
//     string functions other than startswith/endswith/contains, and
//     parameter aliases (@p).
//   - Type checking against a schema: types are checked when Eval compares
//     actual values, so a mismatch surfaces per item, not at parse time.
//   - The directory "null values" column (eq null needing advanced query
//     parameters for some properties), the known-issue caps on the number
//     of in/or terms, and "$expand is not supported with advanced queries".
//   - $search semantics: the value is syntax-checked (balanced quotes) and
//     kept; matching is the handler's job.
//   - $expand options are parsed recursively, but which navigation
//     properties may be expanded is the handler's decision.
package odata
