// Package inventory counts what a tenant holds per user — mailbox items and
// OneDrive files — through the Graph client. It is the first thing `sg365
// demo` shows, and a cheap way to size a backup before running one.
package inventory
