// Package simtls makes the TLS material for serving the m365sim emulator
// over HTTPS: a private certificate authority and server certificates issued
// by it.
//
// MSAL, and so azidentity, accepts only https authorities, and an unmodified
// third-party Graph client can be pointed at the emulator only under the real
// host names. The emulator therefore issues itself a leaf certificate naming
// 127.0.0.1, ::1, localhost, graph.microsoft.com, login.microsoftonline.com
// and its bind host, and the client trusts the CA: through a Go
// tls.Config.RootCAs (Pool), or for other programs through the CA file
// (WriteCAFile) named by SSL_CERT_FILE, plus a hosts entry.
//
// Keys are ECDSA P-256: every mainstream TLS stack accepts them and they are
// generated in microseconds. Save and LoadOrCreate keep a CA in a directory,
// key file mode 0600, so a restarted emulator stays trusted.
package simtls
