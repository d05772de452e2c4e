// Package access knows which Microsoft Graph application permissions each
// SafeGuard365 capability needs, and checks a granted set against them. It
// is the single table behind `sg365 tenant test` and the README's
// permissions section.
package access
