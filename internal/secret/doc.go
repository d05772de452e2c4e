// Package secret holds credentials (client secrets, repository passwords) in a
// type that never prints, logs or marshals its value, and reads them from the
// places our CLI accepts: environment variables and files, never flag values.
package secret
