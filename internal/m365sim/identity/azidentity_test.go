package identity

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/cloud"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/policy"
	"github.com/Azure/azure-sdk-for-go/sdk/azidentity"

	"github.com/safeguard365/safeguard365/internal/m365sim/simtls"
)

// These tests drive the provider with the unmodified Azure SDK for Go. MSAL
// signs client assertions with the wall clock, so the provider runs on a
// clock that starts at the real time.

func realTimeProvider(t *testing.T) (*Provider, *clock) {
	t.Helper()
	clk := &clock{t: time.Now()}
	cfg := testConfig(t, clk)
	cfg.TokenLifetime = 0
	p, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return p, clk
}

func getAzToken(t *testing.T, cred azcore.TokenCredential) (azcore.AccessToken, error) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	return cred.GetToken(ctx, policy.TokenRequestOptions{Scopes: []string{graphScope}})
}

// sdkOptions points azidentity at srv, as our product does with
// cloud.Configuration and DisableInstanceDiscovery.
func sdkOptions(srv *httptest.Server) azcore.ClientOptions {
	return azcore.ClientOptions{
		Cloud:     cloud.Configuration{ActiveDirectoryAuthorityHost: srv.URL + "/"},
		Transport: srv.Client(),
		Retry:     policy.RetryOptions{MaxRetries: -1},
	}
}

func checkSDKToken(t *testing.T, p *Provider, tok azcore.AccessToken, wantApp, wantAcr string) {
	t.Helper()
	pr, aerr := p.Authenticate(graphRequest("Bearer " + tok.Token))
	if aerr != nil {
		t.Fatalf("token from the SDK rejected: %v", aerr)
	}
	if pr.AppID != wantApp || pr.TenantID != tenantID {
		t.Errorf("principal %+v", pr)
	}
	if acr := claimsOf(t, tok.Token)["appidacr"]; acr != wantAcr {
		t.Errorf("appidacr %v, want %s", acr, wantAcr)
	}
	if left := time.Until(tok.ExpiresOn); left < 59*time.Minute || left > 91*time.Minute {
		t.Errorf("SDK sees the token expire in %v, want 60-90 minutes", left)
	}
}

func TestAzidentityClientSecret(t *testing.T) {
	p, _ := realTimeProvider(t)
	srv := httptest.NewTLSServer(p.Handler())
	defer srv.Close()

	cred, err := azidentity.NewClientSecretCredential(tenantID, appID, testSecret,
		&azidentity.ClientSecretCredentialOptions{ClientOptions: sdkOptions(srv), DisableInstanceDiscovery: true})
	if err != nil {
		t.Fatal(err)
	}
	tok, err := getAzToken(t, cred)
	if err != nil {
		t.Fatal(err)
	}
	checkSDKToken(t, p, tok, appID, "1")
}

func TestAzidentityClientCertificate(t *testing.T) {
	for _, chain := range []bool{false, true} {
		t.Run(map[bool]string{false: "thumbprint", true: "with x5c chain"}[chain], func(t *testing.T) {
			p, _ := realTimeProvider(t)
			srv := httptest.NewTLSServer(p.Handler())
			defer srv.Close()
			cert := p.apps[certAppID].certs[0]
			cred, err := azidentity.NewClientCertificateCredential(tenantDomain, certAppID, []*x509.Certificate{cert}, clientKey(),
				&azidentity.ClientCertificateCredentialOptions{
					ClientOptions: sdkOptions(srv), DisableInstanceDiscovery: true, SendCertificateChain: chain,
				})
			if err != nil {
				t.Fatal(err)
			}
			tok, err := getAzToken(t, cred)
			if err != nil {
				t.Fatal(err)
			}
			checkSDKToken(t, p, tok, certAppID, "2")
		})
	}
}

func TestAzidentitySeesSTSErrors(t *testing.T) {
	p, _ := realTimeProvider(t)
	srv := httptest.NewTLSServer(p.Handler())
	defer srv.Close()
	const wrong = "wrong-secret-canary-4411"
	for _, tc := range []struct {
		name, tenant, client, secret, want string
		status                             int
	}{
		{"wrong secret", tenantID, appID, wrong, "AADSTS7000215", 401},
		{"unknown app", tenantID, "00000000-0000-4000-8000-00000000000a", wrong, "AADSTS700016", 400},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cred, err := azidentity.NewClientSecretCredential(tc.tenant, tc.client, tc.secret,
				&azidentity.ClientSecretCredentialOptions{ClientOptions: sdkOptions(srv), DisableInstanceDiscovery: true})
			if err != nil {
				t.Fatal(err)
			}
			_, err = getAzToken(t, cred)
			var afe *azidentity.AuthenticationFailedError
			if !errors.As(err, &afe) || afe.RawResponse == nil || afe.RawResponse.StatusCode != tc.status {
				t.Fatalf("got %v, want AuthenticationFailedError with status %d", err, tc.status)
			}
			if !strings.Contains(err.Error(), tc.want) || strings.Contains(err.Error(), wrong) {
				t.Errorf("error text should name %s and never the secret: %v", tc.want, err)
			}
		})
	}
}

// TestAzidentityThroughHostsEntry runs an SDK client with default options,
// as a third-party tool would, reaching the provider as
// login.microsoftonline.com through a simulated hosts entry and trusting the
// emulator's CA.
func TestAzidentityThroughHostsEntry(t *testing.T) {
	t.Setenv("AZURE_AUTHORITY_HOST", "")
	p, _ := realTimeProvider(t)
	ca, err := simtls.NewCA(nil)
	if err != nil {
		t.Fatal(err)
	}
	leaf, err := ca.Leaf("login.microsoftonline.com", "graph.microsoft.com", "127.0.0.1")
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewUnstartedServer(p.Handler())
	srv.TLS = &tls.Config{Certificates: []tls.Certificate{leaf}, MinVersion: tls.VersionTLS12}
	srv.StartTLS()
	defer srv.Close()

	var dialed []string
	var d net.Dialer
	transport := &http.Transport{
		TLSClientConfig: &tls.Config{RootCAs: ca.Pool(), MinVersion: tls.VersionTLS12},
		DialContext: func(ctx context.Context, network, addr string) (net.Conn, error) {
			dialed = append(dialed, addr)
			return d.DialContext(ctx, network, srv.Listener.Addr().String())
		},
	}
	defer transport.CloseIdleConnections()
	cred, err := azidentity.NewClientSecretCredential(tenantDomain, appID, testSecret, &azidentity.ClientSecretCredentialOptions{
		ClientOptions: azcore.ClientOptions{Transport: &http.Client{Transport: transport}, Retry: policy.RetryOptions{MaxRetries: -1}},
	})
	if err != nil {
		t.Fatal(err)
	}
	tok, err := getAzToken(t, cred)
	if err != nil {
		t.Fatal(err)
	}
	checkSDKToken(t, p, tok, appID, "1")
	for _, a := range dialed {
		if a != "login.microsoftonline.com:443" {
			t.Errorf("SDK dialed %s, want only login.microsoftonline.com:443", a)
		}
	}
}
