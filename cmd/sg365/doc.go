// Command sg365 is the SafeGuard365 command-line interface: DataGuard,
// TenantGuard, UserGuard and DeviceGuard for Microsoft 365 tenants, and the
// tenant emulator (sg365 sim) used to develop and test them.
//
// Each command lives in cmd_<noun>_<verb>.go with an options struct,
// AddFlags, Validate and a runX(ctx, opts, globals, …) function that tests
// call directly. Only main chooses exit codes (see exit.go).
package main
