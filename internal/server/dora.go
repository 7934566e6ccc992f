package server

import (
	"context"
	"errors"
	"net/http"
	"time"

	"ferry.dev/ferry/internal/dora"
	"ferry.dev/ferry/internal/metrics"
)

// doraMetricsTTL is how long the DORA gauges are cached between scrapes.
const doraMetricsTTL = time.Minute

// mountDORA registers the DORA gauges of the production environment with
// the metrics; GET /api/v1/dora (serveDORA) is mounted with the API.
func mountDORA(cfg Config) {
	if cfg.Metrics != nil {
		cfg.Metrics.Register(metrics.NewDORACollector(func(ctx context.Context) ([]dora.Report, error) {
			env, err := productionEnv(ctx, cfg)
			if err != nil {
				return nil, err
			}
			rep, err := dora.Compute(ctx, cfg.Store, env, 90*24*time.Hour, time.Now())
			return []dora.Report{rep}, err
		}, doraMetricsTTL))
	}
}

func serveDORA(w http.ResponseWriter, r *http.Request, cfg Config) {
	q := r.URL.Query()
	since := q.Get("since")
	if since == "" {
		since = "90d"
	}
	window, err := dora.ParseSince(since)
	if err != nil {
		writeJSON(w, http.StatusBadRequest, apiError{Code: "invalid_since", Message: err.Error(), Hint: "since=90d"})
		return
	}
	env, err := doraEnv(r.Context(), cfg, q.Get("env"))
	var unknown *unknownEnvError
	switch {
	case errors.As(err, &unknown):
		writeJSON(w, http.StatusNotFound, apiError{Code: "unknown_env", Message: err.Error(),
			Hint: "env=NAME, an environment of ferry.yaml (default: the one the release lane feeds)"})
		return
	case err != nil:
		writeJSON(w, http.StatusServiceUnavailable, apiError{Code: "not_ready", Message: "load ferry.yaml: " + err.Error(),
			Hint: "GET /readyz says when the mirror is fetched"})
		return
	}
	rep, err := dora.Compute(r.Context(), cfg.Store, env, window, time.Now())
	if err != nil {
		cfg.Log.Error("dora", "env", env, "error", err.Error())
		writeJSON(w, http.StatusInternalServerError, apiError{Code: "store", Message: "reading the deployments failed",
			Hint: "GET /readyz says whether the store is reachable"})
		return
	}
	writeJSON(w, http.StatusOK, rep)
}

// doraEnv checks env against the platform on the mirror's first lane, or
// picks its production environment when env is empty.
func doraEnv(ctx context.Context, cfg Config, env string) (string, error) {
	if cfg.Agent == nil {
		return "", errors.New("no platform is loaded")
	}
	p, err := cfg.Agent.Mirror().FirstLanePlatform(ctx)
	if err != nil {
		return "", err
	}
	if env == "" {
		env, err = dora.DefaultEnv(p)
		if err != nil {
			return "", &unknownEnvError{msg: err.Error()}
		}
		return env, nil
	}
	if _, ok := p.Env(env); !ok {
		return "", &unknownEnvError{msg: `unknown environment "` + env + `"`}
	}
	return env, nil
}

// unknownEnvError: the platform has no such environment (or no production).
type unknownEnvError struct{ msg string }

func (e *unknownEnvError) Error() string { return e.msg }

func productionEnv(ctx context.Context, cfg Config) (string, error) { return doraEnv(ctx, cfg, "") }
