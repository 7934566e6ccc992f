package server

import (
	"context"
	"encoding/json"
	"log/slog"
	"net/http"
	"time"

	"ferry.dev/ferry/internal/agent"
	"ferry.dev/ferry/internal/dashboard"
	"ferry.dev/ferry/internal/metrics"
	"ferry.dev/ferry/internal/store"
	"ferry.dev/ferry/internal/webhook"
)

// Config wires the handlers to the agent and the store.
type Config struct {
	Agent *agent.Agent
	Store store.Store
	// WebhookSecret verifies every hook; empty rejects them all.
	WebhookSecret []byte
	Log           *slog.Logger
	// Metrics, when set, are served on /metrics with the webhook counters
	// and the store's tallies.
	Metrics *metrics.Metrics
	// MetricsToken, when set, is the bearer token /metrics requires.
	MetricsToken []byte
	// Backend is what the API reads and acts on (default: AgentBackend on
	// Agent, without deploy options or notifications).
	Backend Backend
	// AuthFailures and AuthBurst bound failed authentications per client
	// address: per minute, after a burst (defaults 10 and 20).
	AuthFailures, AuthBurst int
	// Hub feeds the event stream (default: a hub of Store). Give the
	// agent Hub.Wrap(Store) so its writes reach the stream at once.
	Hub *Hub
}

// Handler returns the mux of ferry serve: /healthz and /readyz (open),
// /hooks/ (HMAC), /metrics (open or MetricsToken), /api/v1 (bearer
// tokens, roles; see package api for the contract) and the dashboard at /
// (sessions from a token login; package dashboard).
func Handler(cfg Config) http.Handler {
	if cfg.Log == nil {
		cfg.Log = slog.New(slog.DiscardHandler)
	}
	if cfg.Backend == nil {
		cfg.Backend = AgentBackend{Agent: cfg.Agent}
	}
	if cfg.Hub == nil {
		cfg.Hub = NewHub(cfg.Store)
	}
	cfg.Store = cfg.Hub.Wrap(cfg.Store)
	hooks := webhook.New(webhook.Config{Secret: cfg.WebhookSecret, Logger: cfg.Log},
		func(ctx context.Context, p webhook.Push) {
			cfg.Agent.Hint(ctx, p.Provider, p.Refs)
		})
	mux := http.NewServeMux()
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, _ *http.Request) {
		writeJSON(w, http.StatusOK, map[string]string{"status": "ok"})
	})
	mux.HandleFunc("GET /readyz", func(w http.ResponseWriter, r *http.Request) { ready(w, r, cfg) })
	mux.Handle("/hooks/", hooks)
	mountDORA(cfg)
	mountAPI(mux, cfg)
	mux.Handle("/", dashboard.New(dashboard.Config{Store: cfg.Store, Backend: cfg.Backend, API: mux, Log: cfg.Log}))
	if cfg.Metrics != nil {
		cfg.Metrics.Register(webhookCollector{hooks}, metrics.NewRecords(cfg.Store, 5*time.Second, cfg.Log))
		mux.Handle("GET /metrics", cfg.Metrics.Handler(cfg.MetricsToken))
	}
	return mux
}

// readiness is the /readyz document.
type readiness struct {
	Ready    bool   `json:"ready"`
	Store    string `json:"store"`
	Mirror   string `json:"mirror"`
	Role     string `json:"role"`
	Identity string `json:"identity"`
	Lease    string `json:"lease"`
}

func ready(w http.ResponseWriter, r *http.Request, cfg Config) {
	h := cfg.Agent.Health()
	rd := readiness{Store: "ok", Mirror: "fetched", Role: h.Role, Identity: h.Identity, Lease: h.Lease}
	ctx, cancel := context.WithTimeout(r.Context(), 2*time.Second)
	defer cancel()
	if _, err := cfg.Store.Events(ctx, store.EventFilter{Limit: 1}); err != nil {
		rd.Store = "unreachable"
	}
	switch {
	case h.Fetched.IsZero() && h.FetchErr != "":
		rd.Mirror = "fetch failing"
	case h.Fetched.IsZero():
		rd.Mirror = "not fetched yet"
	}
	rd.Ready = rd.Store == "ok" && rd.Mirror == "fetched" && (h.Role == "leader" || h.Role == "follower")
	code := http.StatusOK
	if !rd.Ready {
		code = http.StatusServiceUnavailable
	}
	writeJSON(w, code, rd)
}

func writeJSON(w http.ResponseWriter, code int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(code)
	_ = json.NewEncoder(w).Encode(v)
}
