// Package simclient connects the Graph client to the emulator
// (internal/m365sim) the way a real tenant is reached: OAuth client
// credentials over HTTPS, trusting the emulator's CA. It is for tests,
// benchmarks and the demo; m365sim itself never imports the client.
package simclient
