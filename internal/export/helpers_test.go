package export

// Test wiring: an emulated tenant over HTTPS with real OAuth, the real
// Graph client, a real repository, and DataGuard backing up into it.

import "github.com/safeguard365/safeguard365/internal/dataguard/dataguardtest"

// env is a backup environment; its fields and methods are dataguardtest's.
type env struct{ *dataguardtest.Env }
