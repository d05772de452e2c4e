// Package simclient connects the Graph client to the emulator
// (internal/m365sim) the way a real tenant is reached: OAuth client
// credentials over HTTPS, trusting the emulator's CA. It is for tests,
// benchmarks and the demo; m365sim itself never imports the client.
//
// It also holds the emulator set-up that tests of several packages share:
// starting a generated or directory-only tenant, running the activity
// mutator, and the mail folders a backup is expected to see.
package simclient
