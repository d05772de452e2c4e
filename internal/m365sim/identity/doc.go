// Package identity emulates the Microsoft identity platform (Entra ID v2.0
// endpoints) for the tenants of the m365sim emulator, and validates the access
// tokens it issues when they come back to the emulated Graph.
//
// # Endpoints
//
// Provider.Handler serves, for each configured tenant named by tenant ID or
// by any verified domain name:
//
//	GET  /{tenant}/discovery/instance                    instance discovery (MSAL; normally /common)
//	GET  /{tenant}/v2.0/.well-known/openid-configuration  OpenID Connect metadata
//	GET  /{tenant}/discovery/v2.0/keys                   JWKS (also /{tenant}/discovery/keys)
//	POST /{tenant}/oauth2/v2.0/token                     client credentials grant
//
// The token endpoint authenticates the client with a client secret (form field
// or HTTP Basic, RFC 6749 §2.3.1) or with a JWT client assertion signed by a
// registered certificate, and answers with an RS256 access token in the v1.0
// shape Graph tokens have. Failures carry the AADSTS codes and JSON shape
// Entra ID documents. Handles tells a server that shares one listener with
// Graph which paths belong here.
//
// Provider.Authenticate is the Graph side: it checks a request's bearer token
// and returns the Principal, or an AuthError carrying Graph's 401 status,
// code, message and WWW-Authenticate challenge.
//
// # Vocabulary
//
//   - Tenant: a directory, named by a GUID and zero or more domain names.
//   - App: an app registration (client ID, secrets, certificates) and the
//     application permissions ("roles", such as "Mail.Read") granted to it.
//   - Principal: the app a validated Graph bearer token speaks for.
//
// # Faults
//
// ExpireTokens, SetTokenLifetime, GrantRoles, RevokeRoles, RevokeApp and
// RestoreApp change a running Provider, so tests can script token expiry in
// the middle of a backup and permission changes. As in Entra ID, a
// permission change reaches a client only through its next token.
//
// Sources, all under https://learn.microsoft.com/en-us/entra/identity-platform/:
// v2-oauth2-client-creds-grant-flow, certificate-credentials,
// access-token-claims-reference, access-tokens, scopes-oidc and
// reference-error-codes.
package identity
