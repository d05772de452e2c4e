package m365sim

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"net"
	"net/http"
	"time"

	"github.com/safeguard365/safeguard365/internal/m365sim/simtls"
)

// Listener is a running emulator: its server, URLs and credentials.
type Listener struct {
	Server        *Server
	URL           string // scheme://host:port
	GraphURL      string // URL + "/v1.0"
	MDEURL        string // URL + "/api": the Defender for Endpoint API host
	AuthorityHost string // URL + "/"; the identity platform's host
	TenantID      string
	ClientID      string
	ClientSecret  string
	CA            *simtls.CA // nil without TLS

	http    *http.Server
	ln      net.Listener
	done    chan struct{} // closed when serving stops
	serveEr error         // set before done is closed
}

// ListenOptions choose where and how the emulator listens.
type ListenOptions struct {
	Addr  string // default 127.0.0.1:0 (a free loopback port)
	TLS   bool
	CADir string // load or create the CA here (TLS only); "" keeps it in memory
}

// Listen starts serving s in the background.
func Listen(s *Server, lo ListenOptions) (*Listener, error) {
	if lo.Addr == "" {
		lo.Addr = "127.0.0.1:0"
	}
	ln, err := net.Listen("tcp", lo.Addr)
	if err != nil {
		return nil, fmt.Errorf("listen on %s: %w", lo.Addr, err)
	}
	l := &Listener{Server: s, ln: ln, done: make(chan struct{})}
	l.http = &http.Server{Handler: s, ReadHeaderTimeout: 30 * time.Second}
	scheme := "http"
	if lo.TLS {
		scheme = "https"
		if err := l.setupTLS(lo); err != nil {
			ln.Close()
			return nil, err
		}
		ln = tls.NewListener(ln, l.http.TLSConfig)
	}
	l.URL = fmt.Sprintf("%s://%s", scheme, ln.Addr().String())
	l.GraphURL = l.URL + "/v1.0"
	l.MDEURL = l.URL + "/api"
	l.AuthorityHost = l.URL + "/"
	l.TenantID = s.Tenant().ID
	l.ClientID, l.ClientSecret = s.app.ClientID, s.app.ClientSecret
	go func() {
		l.serveEr = l.http.Serve(ln)
		close(l.done)
	}()
	return l, nil
}

func (l *Listener) setupTLS(lo ListenOptions) error {
	var ca *simtls.CA
	var err error
	if lo.CADir != "" {
		ca, _, err = simtls.LoadOrCreate(lo.CADir, l.Server.opts.Now)
	} else {
		ca, err = simtls.NewCA(l.Server.opts.Now)
	}
	if err != nil {
		return fmt.Errorf("emulator CA: %w", err)
	}
	host, _, _ := net.SplitHostPort(l.ln.Addr().String())
	hosts := []string{"127.0.0.1", "::1", "localhost", "graph.microsoft.com", "login.microsoftonline.com"}
	if host != "" && host != "127.0.0.1" && host != "::" && host != "0.0.0.0" {
		hosts = append(hosts, host)
	}
	leaf, err := ca.Leaf(hosts...)
	if err != nil {
		return fmt.Errorf("emulator certificate: %w", err)
	}
	l.CA = ca
	l.http.TLSConfig = &tls.Config{Certificates: []tls.Certificate{leaf}, MinVersion: tls.VersionTLS12}
	return nil
}

// CAPool returns a pool trusting the emulator's CA, or nil without TLS.
func (l *Listener) CAPool() *x509.CertPool {
	if l.CA == nil {
		return nil
	}
	return l.CA.Pool()
}

// Close stops serving: it waits up to five seconds for requests in
// flight, then cuts the rest, saves the state when Options.StateDir is set
// (see Server.SaveState), and releases the server's storage.
func (l *Listener) Close() error {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	err := l.http.Shutdown(ctx)
	if err != nil {
		err = l.http.Close()
	}
	<-l.done
	if serr := l.Server.SaveState(); serr != nil {
		err = errors.Join(err, serr)
	}
	l.Server.Close()
	return err
}

// Wait blocks until the listener stops and returns why it stopped (nil
// after Close). Several goroutines may wait.
func (l *Listener) Wait() error {
	<-l.done
	if errors.Is(l.serveEr, http.ErrServerClosed) {
		return nil
	}
	return l.serveEr
}
