package server

import (
	"context"
	"log/slog"
	"net/http"
	"strconv"

	"ferry.dev/ferry/internal/api"
	"ferry.dev/ferry/internal/app"
	"ferry.dev/ferry/internal/auth"
	"ferry.dev/ferry/internal/flow"
	"ferry.dev/ferry/internal/platform"
	"ferry.dev/ferry/internal/store"
	"ferry.dev/ferry/internal/view"
)

// api serves /api/v1: decode → authenticate and authorize → the use-case
// layer or a read model → encode. The OpenAPI document is the contract.
type apiServer struct {
	store   store.Store
	log     *slog.Logger
	auth    *auth.Authenticator
	backend Backend
	snaps   *snapshots
	hub     *Hub
	actions *actions
}

// principalKey carries the authenticated principal in a request context.
type principalKey struct{}

func principalOf(r *http.Request) auth.Principal {
	p, _ := r.Context().Value(principalKey{}).(auth.Principal)
	return p
}

func mountAPI(mux *http.ServeMux, cfg Config) {
	s := &apiServer{store: cfg.Store, log: cfg.Log, backend: cfg.Backend, hub: cfg.Hub, actions: newActions()}
	s.auth = &auth.Authenticator{Store: cfg.Store, Log: cfg.Log, Failures: cfg.AuthFailures, Burst: cfg.AuthBurst}
	s.snaps = &snapshots{b: cfg.Backend}
	mux.HandleFunc("GET /api/v1/openapi.json", serveOpenAPI)
	routes := map[string]http.HandlerFunc{
		"GET /api/v1/whoami":                       s.whoami,
		"GET /api/v1/platform":                     s.platform,
		"GET /api/v1/lanes":                        s.lanes,
		"GET /api/v1/environments":                 s.environments,
		"GET /api/v1/environments/{env}":           s.environment,
		"GET /api/v1/status":                       s.status,
		"GET /api/v1/history":                      s.history,
		"GET /api/v1/deployments":                  s.deployments,
		"GET /api/v1/deployments/{id}":             s.deployment,
		"GET /api/v1/promotions":                   s.promotions,
		"GET /api/v1/promotions/{id}":              s.promotion,
		"GET /api/v1/releases":                     s.releases,
		"GET /api/v1/checkruns":                    s.checkRuns,
		"GET /api/v1/checkruns/{id}":               s.checkRun,
		"GET /api/v1/events":                       s.events,
		"GET /api/v1/events/stream":                s.serveStream,
		"GET /api/v1/actions/{id}":                 s.action,
		"GET /api/v1/dora":                         func(w http.ResponseWriter, r *http.Request) { serveDORA(w, r, cfg) },
		"GET /api/v1/catalog":                      (&catalogServer{agent: cfg.Agent}).serve,
		"POST /api/v1/environments/{env}/sync":     s.sync,
		"POST /api/v1/environments/{env}/rollback": s.rollback,
		"POST /api/v1/lanes/{lane}/promote":        s.promote,
		"POST /api/v1/lanes/{lane}/approve":        s.approve,
		"POST /api/v1/release":                     s.release,
		"GET /api/v1/tokens":                       s.listTokens,
		"POST /api/v1/tokens":                      s.createToken,
		"DELETE /api/v1/tokens/{name}":             s.revokeToken,
	}
	for pattern, h := range routes {
		mux.Handle(pattern, s.authenticated(h))
	}
	mux.HandleFunc("/api/", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, http.StatusNotFound, api.Error{Code: api.CodeNotFound, Message: "no such endpoint: " + r.Method + " " + r.URL.Path,
			Hint: "GET /api/v1/openapi.json lists the endpoints"})
	})
}

// authenticated requires a valid token; every route also needs at least
// the viewer role (Allow Read), actions check their own action.
func (s *apiServer) authenticated(h http.HandlerFunc) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		p, err := s.auth.Authenticate(r)
		if err == nil {
			err = auth.Allow(p, auth.Read, auth.Target{})
		}
		if err != nil {
			if err == auth.ErrUnauthenticated || err == auth.ErrRateLimited {
				w.Header().Set("WWW-Authenticate", `Bearer realm="ferry"`)
			}
			s.writeError(w, r, err, nil)
			return
		}
		h(w, r.WithContext(context.WithValue(r.Context(), principalKey{}, p)))
	})
}

// Whoami is the principal of the request's token.
type Whoami struct {
	Name string   `json:"name"`
	Role string   `json:"role"`
	Envs []string `json:"envs,omitempty"`
}

func (s *apiServer) whoami(w http.ResponseWriter, r *http.Request) {
	p := principalOf(r)
	writeJSON(w, http.StatusOK, Whoami{Name: p.Name, Role: p.Role, Envs: p.Envs})
}

// source is the read models' source now.
func (s *apiServer) source(ctx context.Context) (view.Source, error) {
	p, heads, err := s.snaps.get(ctx)
	if err != nil {
		return view.Source{}, err
	}
	return view.Source{P: p, Store: s.store, Heads: heads}, nil
}

// openApp opens the use-case layer as the request's principal, on st (the
// API's store unless an action wraps it).
func (s *apiServer) openApp(ctx context.Context, p *platform.Platform, actor string, st store.Store) (*app.App, error) {
	return s.backend.App(ctx, p, app.Options{Store: st, Actor: actor, Log: s.log.With("actor", actor)})
}

// withEngine runs fn with the workflow engine on the mirror, holding it.
func (s *apiServer) withEngine(ctx context.Context, actor string, fn func(ap *app.App, e *flow.Engine) error) error {
	p, _, err := s.snaps.get(ctx)
	if err != nil {
		return err
	}
	ap, err := s.openApp(ctx, p, actor, s.store)
	if err != nil {
		return err
	}
	defer ap.Close()
	return s.backend.Exclusive(func() error {
		e, err := ap.Flow(ctx)
		if err != nil {
			return err
		}
		return fn(ap, e)
	})
}

// target is what an action on env acts on.
func target(p *platform.Platform, env string) auth.Target {
	return auth.Target{Env: env, Production: env != "" && env == view.ProductionEnv(p)}
}

// laneTarget is what an action on a lane acts on: the environment it
// feeds, else the one its source lane feeds (as notifications name it).
func laneTarget(p *platform.Platform, lane string) auth.Target {
	if e, ok := p.EnvForLane(lane); ok {
		return target(p, e.Name)
	}
	if pr, ok := p.PromotionTo(lane); ok {
		if e, ok := p.EnvForLane(pr.From); ok {
			return target(p, e.Name)
		}
	}
	return auth.Target{}
}

// paging reads limit (default 50, at most 500) and before (an ID cursor).
func paging(r *http.Request) (limit int, before int64, err error) {
	limit = 50
	q := r.URL.Query()
	if v := q.Get("limit"); v != "" {
		n, perr := strconv.Atoi(v)
		if perr != nil || n < 1 || n > 500 {
			return 0, 0, &api.BadRequestError{Msg: "limit must be a number from 1 to 500"}
		}
		limit = n
	}
	if v := q.Get("before"); v != "" {
		n, perr := strconv.ParseInt(v, 10, 64)
		if perr != nil || n < 1 {
			return 0, 0, &api.BadRequestError{Msg: "before must be a positive ID"}
		}
		before = n
	}
	return limit, before, nil
}

// pathID reads the {id} path value.
func pathID(r *http.Request) (int64, error) {
	n, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil || n < 1 {
		return 0, &api.BadRequestError{Msg: "id must be a positive number"}
	}
	return n, nil
}
