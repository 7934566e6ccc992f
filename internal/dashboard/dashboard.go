package dashboard

import (
	"context"
	"log/slog"
	"net/http"
	"time"

	"ferry.dev/ferry/internal/app"
	"ferry.dev/ferry/internal/auth"
	"ferry.dev/ferry/internal/platform"
	"ferry.dev/ferry/internal/store"
)

// Backend is what the pages read the platform and the lanes from: the
// agent's mirror and the use-case layer on it (server.Backend is one).
type Backend interface {
	Snapshot(ctx context.Context) (*platform.Platform, map[string]string, error)
	App(ctx context.Context, p *platform.Platform, o app.Options) (*app.App, error)
	Exclusive(fn func() error) error
}

// Config wires the dashboard to ferry serve.
type Config struct {
	Store   store.Store
	Backend Backend
	// API is ferry serve's /api/v1 handler: every form and the live
	// stream are forwarded to it as the session's token.
	API http.Handler
	Log *slog.Logger
	// SessionTTL is how long a login lasts (default 12h).
	SessionTTL time.Duration
	// LaneTTL is how stale the lanes and promotion plans a page shows may
	// be (default 3s); an action refreshes them at once.
	LaneTTL time.Duration
}

// Dashboard serves the pages.
type Dashboard struct {
	cfg      Config
	mux      *http.ServeMux
	auth     *auth.Authenticator
	sessions *sessions
	world    *worlds
}

// New builds the dashboard's handler.
func New(cfg Config) *Dashboard {
	if cfg.Log == nil {
		cfg.Log = slog.New(slog.DiscardHandler)
	}
	if cfg.SessionTTL <= 0 {
		cfg.SessionTTL = 12 * time.Hour
	}
	if cfg.LaneTTL <= 0 {
		cfg.LaneTTL = 3 * time.Second
	}
	d := &Dashboard{cfg: cfg, mux: http.NewServeMux(),
		auth:     &auth.Authenticator{Store: cfg.Store, Log: cfg.Log},
		sessions: newSessions(cfg.SessionTTL),
		world:    &worlds{b: cfg.Backend, st: cfg.Store, log: cfg.Log, ttl: cfg.LaneTTL}}
	d.routes()
	return d
}

func (d *Dashboard) routes() {
	m := d.mux
	m.Handle("GET /assets/", assetHandler())
	m.HandleFunc("GET /login", d.loginPage)
	m.HandleFunc("POST /login", d.login)
	m.HandleFunc("POST /logout", d.logout)
	m.HandleFunc("GET /{$}", d.read(d.pipelinePage))
	m.HandleFunc("GET /env/{env}", d.read(d.environmentPage))
	m.HandleFunc("GET /deployments/{id}", d.read(d.deploymentPage))
	m.HandleFunc("GET /promotions/{lane}", d.read(d.promotionPage))
	m.HandleFunc("GET /checks", d.read(d.checksPage))
	m.HandleFunc("GET /checks/{id}", d.read(d.checkPage))
	m.HandleFunc("GET /events", d.read(d.eventsPage))
	m.HandleFunc("GET /rules", d.read(d.rulesPage))
	m.HandleFunc("GET /live", d.live)
	m.HandleFunc("POST /env/{env}/sync", d.act(syncForm))
	m.HandleFunc("POST /env/{env}/rollback", d.act(rollbackForm))
	m.HandleFunc("POST /lanes/{lane}/approve", d.act(approveForm))
	m.HandleFunc("POST /lanes/{lane}/promote", d.act(promoteForm))
	m.HandleFunc("POST /release", d.act(releaseForm))
	m.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		d.fail(w, r, nil, http.StatusNotFound, "no such page: "+r.URL.Path)
	})
}

// ServeHTTP serves a page with the security headers every response of
// the dashboard carries.
func (d *Dashboard) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	secure(w.Header())
	d.mux.ServeHTTP(w, r)
}

// csp allows only this origin: no inline script or style, no other host,
// no framing, forms only to this origin.
const csp = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; " +
	"font-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'; object-src 'none'"

func secure(h http.Header) {
	h.Set("Content-Security-Policy", csp)
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Referrer-Policy", "no-referrer")
	h.Set("X-Frame-Options", "DENY")
	h.Set("Cross-Origin-Opener-Policy", "same-origin")
	h.Set("Cross-Origin-Resource-Policy", "same-origin")
	h.Set("Permissions-Policy", "camera=(), microphone=(), geolocation=()")
}
