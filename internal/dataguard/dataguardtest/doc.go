// Package dataguardtest sets up backups for the tests of packages that read
// them (catalog, export, restore): an emulated tenant, the real Graph client
// for it, an empty repository, and dataguard.Backup run into it. Like
// net/http/httptest it is imported only by tests. dataguard's own tests
// cannot import it and use internal/simclient directly.
package dataguardtest
