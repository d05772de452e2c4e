package graph

import (
	"crypto/rsa"
	"fmt"
	"os"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/cloud"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/policy"
	"github.com/Azure/azure-sdk-for-go/sdk/azidentity"
)

// NewCredential builds the azidentity credential cfg selects: client secret,
// client certificate or managed identity. transport carries the token
// requests (nil: azcore's default); pass the Client's transport so that
// Config.CACerts applies to the authority as well.
//
// When the authority is not one of Microsoft's sign-in hosts, instance
// discovery is disabled, so MSAL does not ask login.microsoftonline.com
// about it.
func NewCredential(cfg Config, transport policy.Transporter) (azcore.TokenCredential, error) {
	if err := cfg.Validate(); err != nil {
		return nil, fmt.Errorf("graph: invalid config: %w", err)
	}
	authority, _ := cfg.endpoints()
	co := azcore.ClientOptions{
		Cloud:     cloud.Configuration{ActiveDirectoryAuthorityHost: authority},
		Transport: transport,
	}
	noDiscovery := !isMicrosoftAuthority(authority)

	switch {
	case cfg.ManagedIdentity:
		o := &azidentity.ManagedIdentityCredentialOptions{ClientOptions: co}
		if cfg.ClientID != "" {
			o.ID = azidentity.ClientID(cfg.ClientID)
		}
		cred, err := azidentity.NewManagedIdentityCredential(o)
		if err != nil {
			return nil, fmt.Errorf("graph: managed identity credential: %w", err)
		}
		return cred, nil

	case cfg.CertPath != "":
		data, err := os.ReadFile(cfg.CertPath)
		if err != nil {
			return nil, fmt.Errorf("graph: read certificate: %w", err)
		}
		certs, key, err := azidentity.ParseCertificates(data, []byte(cfg.CertPassword.Reveal()))
		if err != nil {
			// The parser's message never includes the password.
			return nil, fmt.Errorf("graph: parse certificate %s: %w", cfg.CertPath, err)
		}
		if _, ok := key.(*rsa.PrivateKey); !ok {
			// MSAL signs the client assertion with an RSA algorithm (PS256
			// or RS256), and Entra ID accepts only RSA certificates.
			return nil, fmt.Errorf("graph: certificate %s: private key is %T, must be RSA", cfg.CertPath, key)
		}
		cred, err := azidentity.NewClientCertificateCredential(cfg.TenantID, cfg.ClientID, certs, key,
			&azidentity.ClientCertificateCredentialOptions{ClientOptions: co, DisableInstanceDiscovery: noDiscovery})
		if err != nil {
			return nil, fmt.Errorf("graph: certificate credential: %w", err)
		}
		return cred, nil

	default:
		cred, err := azidentity.NewClientSecretCredential(cfg.TenantID, cfg.ClientID, cfg.Secret.Reveal(),
			&azidentity.ClientSecretCredentialOptions{ClientOptions: co, DisableInstanceDiscovery: noDiscovery})
		if err != nil {
			return nil, fmt.Errorf("graph: client secret credential: %w", err)
		}
		return cred, nil
	}
}
