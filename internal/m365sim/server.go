package m365sim

import (
	"compress/gzip"
	"context"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/safeguard365/safeguard365/internal/m365sim/identity"
	"github.com/safeguard365/safeguard365/internal/m365sim/limits"
	"github.com/safeguard365/safeguard365/internal/m365sim/tenant"
)

// Server is the emulated tenant as an http.Handler. It serves the identity
// platform, Graph under /v1.0/ and /beta/, pre-authenticated download and
// upload URLs, and the control API under /_sim/. Create it with New.
// A Server is safe for concurrent use.
type Server struct {
	opts   Options
	cur    atomic.Pointer[tenant.Tenant] // replaced by reset and restore; see t
	state  stateKeeper
	idp    *identity.Provider
	limits *limits.Engine
	faults *limits.Faults
	app    App
	graph  *http.ServeMux
	mde    *http.ServeMux // the Defender for Endpoint API under /api/ (mde.go)
	reqSeq atomic.Uint64

	dlKey     []byte // signs download URLs
	uploads   sync.Map
	temps     tempFiles
	counters  *limits.Counters
	userCount int // picks the identity throttling budget
}

// App is the app registration the emulator creates for its tenant.
type App struct {
	ClientID     string
	ClientSecret string
	Roles        []string
}

// New builds a server holding a tenant generated from opts or, when
// opts.StateDir holds a saved state, the tenant and credentials saved there
// (see Options.StateDir).
func New(opts Options) (*Server, error) {
	opts = opts.withDefaults()
	if opts.StateDir != "" {
		return newFromStateDir(opts)
	}
	t, err := tenant.Generate(genOptions(opts))
	if err != nil {
		return nil, fmt.Errorf("generate tenant: %w", err)
	}
	return NewWithTenant(t, opts)
}

// NewWithTenant builds a server around an existing tenant. Its state is not
// persisted (opts.StateDir is ignored); POST /_sim/reset generates a tenant
// from opts.
func NewWithTenant(t *tenant.Tenant, opts Options) (*Server, error) {
	opts = opts.withDefaults()
	opts.StateDir = ""
	s := newServer(opts)
	if err := s.init(t, nil); err != nil {
		return nil, err
	}
	return s, nil
}

func newServer(opts Options) *Server {
	return &Server{opts: opts, graph: http.NewServeMux()}
}

// init completes a server around t, with saved credentials or (nil) new ones.
func (s *Server) init(t *tenant.Tenant, saved *savedApp) error {
	s.cur.Store(t)
	s.state.gen = genOptions(s.opts)
	if err := s.initApp(saved); err != nil {
		return err
	}
	if err := s.initLimits(); err != nil {
		return err
	}
	t.Read(func() error { s.userCount = len(t.Users); return nil })
	s.routes()
	return nil
}

// Tenant returns the emulated tenant, for tests that inspect or change it
// directly (under its lock). A reset or restore replaces it: call Tenant
// again afterwards.
func (s *Server) Tenant() *tenant.Tenant { return s.cur.Load() }

// tenantKey is the context key under which ServeHTTP pins the tenant.
const tenantKey ctxKey = 1

// t returns the tenant request r works on: the one that was current when
// the request arrived. ServeHTTP pins it in the request's context, so a
// request that overlaps a reset or restore keeps one tenant throughout and
// never locks one tenant while reading another. Sub-requests of a $batch
// inherit the batch's tenant.
func (s *Server) t(r *http.Request) *tenant.Tenant {
	if t, ok := r.Context().Value(tenantKey).(*tenant.Tenant); ok {
		return t
	}
	return s.cur.Load()
}

// App returns the generated app registration's credentials.
func (s *Server) App() App { return s.app }

// ServeHTTP implements http.Handler.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if _, pinned := r.Context().Value(tenantKey).(*tenant.Tenant); !pinned {
		r = r.WithContext(context.WithValue(r.Context(), tenantKey, s.cur.Load()))
	}
	h := w.Header()
	rid := s.newRequestID()
	h.Set("request-id", rid)
	if c := r.Header.Get("client-request-id"); c != "" {
		h.Set("client-request-id", c)
	} else {
		h.Set("client-request-id", rid)
	}
	p := r.URL.Path
	switch {
	case strings.HasPrefix(p, "/_sim/"):
		s.control(w, r)
	case strings.HasPrefix(p, "/_download/"):
		s.countAndServe(w, r, "download", s.serveDownload)
	case strings.HasPrefix(p, "/_upload/"):
		s.countAndServe(w, r, "upload", s.serveUploadSession)
	case strings.HasPrefix(p, "/v1.0/"), strings.HasPrefix(p, "/beta/"), p == "/v1.0", p == "/beta":
		s.serveGraph(w, r)
	case strings.HasPrefix(p, "/api/"):
		s.serveMDE(w, r) // Defender for Endpoint's API host (mde.go)
	default:
		s.idp.Handler().ServeHTTP(w, r)
	}
}

func (s *Server) newRequestID() string {
	n := s.reqSeq.Add(1)
	return fmt.Sprintf("%08x-%04x-4%03x-8%03x-%012x", uint32(s.opts.Seed), n>>48&0xffff, n>>36&0xfff, n>>24&0xfff, n&0xffffffffffff)
}

type ctxKey int

const callKey ctxKey = 0

// call is the per-request state the Graph middleware hands to handlers.
type call struct {
	version   string // "v1.0" or "beta"
	principal *identity.Principal
	immutable bool          // Prefer: IdType="ImmutableId"
	endpoint  string        // route pattern, for the counters
	class     limits.Class  // throttling class of the route
	delay     time.Duration // injected slowness
}

func callOf(r *http.Request) *call {
	c, _ := r.Context().Value(callKey).(*call)
	if c == nil {
		return &call{version: "v1.0"}
	}
	return c
}

func apiVersion(r *http.Request) string { return callOf(r).version }

func (s *Server) serveGraph(w http.ResponseWriter, r *http.Request) {
	version, rest, _ := strings.Cut(strings.TrimPrefix(r.URL.Path, "/"), "/")
	c := &call{version: version, endpoint: "unrouted"}
	rec := &statusRecorder{ResponseWriter: w}
	w = rec
	defer func() {
		smp := limits.Sample{Class: c.class, Endpoint: c.endpoint, Status: rec.status, BytesOut: rec.bytes, BytesIn: max(r.ContentLength, 0)}
		if c.principal != nil {
			smp.App = c.principal.AppID
		}
		s.counters.Record(smp)
	}()
	if strings.Contains(r.Header.Get("Prefer"), `IdType="ImmutableId"`) {
		c.immutable = true
		w.Header().Add("Preference-Applied", `IdType="ImmutableId"`)
	}
	r = r.WithContext(context.WithValue(r.Context(), callKey, c))
	if r.Header.Get("Content-Encoding") == "gzip" {
		zr, err := gzip.NewReader(r.Body)
		if err != nil {
			badRequest(w, r, "BadRequest", "The request body is not valid gzip: "+err.Error())
			return
		}
		r.Body = io.NopCloser(zr)
		r.Header.Del("Content-Encoding")
		r.ContentLength = -1
	}
	w, answered := s.injectFault(w, r)
	if answered {
		return
	}
	p, aerr := s.idp.Authenticate(r)
	if aerr != nil {
		aerr.SetHeaders(w.Header())
		graphError(w, r, aerr.Status, aerr.Code, aerr.Message)
		return
	}
	c.principal = p
	norm, q, err := normalizePath("/" + rest)
	if err != nil {
		badRequest(w, r, "BadRequest", err.Error())
		return
	}
	if q != nil {
		vals := r.URL.Query()
		for k, v := range q {
			vals[k] = v
		}
		r.URL.RawQuery = vals.Encode()
	}
	r.URL.Path = norm
	r.URL.RawPath = ""
	s.graph.ServeHTTP(w, r)
}
