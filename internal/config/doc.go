// Package config reads the sg365 configuration file, which lists the
// Microsoft 365 tenants the CLI can reach, and resolves one tenant's
// effective settings from command-line flags, environment variables and the
// file, in that order of precedence.
//
// # File
//
// The file is YAML, by default $XDG_CONFIG_HOME/sg365/config.yaml or
// ~/.config/sg365/config.yaml; --config or SG365_CONFIG choose another:
//
//	default_tenant: contoso
//	tenants:
//	  - name: contoso
//	    tenant_id: 00000000-0000-0000-0000-000000000001
//	    client_id: 00000000-0000-0000-0000-000000000002
//	    certificate_path: contoso-app.pem   # relative to the file's directory
//
// Decoding is strict: an unknown key is an error naming the key and its line.
// The file never holds a secret. A client secret comes from a file
// (client_secret_file), an environment variable (client_secret_env, or
// SG365_CLIENT_SECRET), never from the file itself; an inline client_secret
// key is rejected with that advice.
//
// # Precedence
//
// Resolve applies, field by field, the flag value, then the environment
// variable, then the file. The credential (secret, certificate or managed
// identity) is taken as a unit from the highest-precedence layer that names
// one, so SG365_CLIENT_SECRET replaces a certificate configured in the file
// rather than conflicting with it.
package config
