package server

import (
	"context"
	"net/http"
	"strconv"
	"time"

	"ferry.dev/ferry/internal/api"
	"ferry.dev/ferry/internal/app"
	"ferry.dev/ferry/internal/flow"
	"ferry.dev/ferry/internal/store"
	"ferry.dev/ferry/internal/view"
)

func (s *apiServer) platform(w http.ResponseWriter, r *http.Request) {
	src, err := s.source(r.Context())
	if err != nil {
		s.writeError(w, r, err, nil)
		return
	}
	writeJSON(w, http.StatusOK, view.PlatformOf(src.P))
}

// LanesPage is GET /api/v1/lanes.
type LanesPage struct {
	Lanes []flow.LaneStatus `json:"lanes"`
}

func (s *apiServer) lanes(w http.ResponseWriter, r *http.Request) {
	var out LanesPage
	err := s.withEngine(r.Context(), principalOf(r).Name, func(_ *app.App, e *flow.Engine) (err error) {
		out.Lanes, err = e.Lanes(r.Context())
		return err
	})
	if err != nil {
		s.writeError(w, r, err, nil)
		return
	}
	if out.Lanes == nil {
		out.Lanes = []flow.LaneStatus{}
	}
	writeJSON(w, http.StatusOK, out)
}

// EnvironmentsPage is GET /api/v1/environments.
type EnvironmentsPage struct {
	Environments []view.Environment `json:"environments"`
}

func (s *apiServer) environments(w http.ResponseWriter, r *http.Request) {
	src, err := s.source(r.Context())
	var envs []view.Environment
	if err == nil {
		envs, err = view.Environments(r.Context(), src)
	}
	if err != nil {
		s.writeError(w, r, err, nil)
		return
	}
	writeJSON(w, http.StatusOK, EnvironmentsPage{Environments: envs})
}

func (s *apiServer) environment(w http.ResponseWriter, r *http.Request) {
	src, err := s.source(r.Context())
	var env view.Environment
	if err == nil {
		env, err = view.EnvironmentOf(r.Context(), src, r.PathValue("env"))
	}
	if err != nil {
		s.writeError(w, r, err, nil)
		return
	}
	writeJSON(w, http.StatusOK, env)
}

// status is ferry status's report (?env=ENV&live=true).
func (s *apiServer) status(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	live, err := boolParam(q.Get("live"), "live")
	if err != nil {
		s.writeError(w, r, err, nil)
		return
	}
	var rep *view.Status
	err = s.withEngine(r.Context(), principalOf(r).Name, func(ap *app.App, e *flow.Engine) (err error) {
		rep, err = view.StatusOf(r.Context(), ap, e, q.Get("env"), live)
		return err
	})
	if err != nil {
		s.writeError(w, r, err, nil)
		return
	}
	writeJSON(w, http.StatusOK, rep)
}

// history is ferry history's report (?target=ENV|LANE&limit=N).
func (s *apiServer) history(w http.ResponseWriter, r *http.Request) {
	limit, _, err := paging(r)
	if err != nil {
		s.writeError(w, r, err, nil)
		return
	}
	var rep *view.History
	err = s.withEngine(r.Context(), principalOf(r).Name, func(ap *app.App, e *flow.Engine) (err error) {
		rep, err = view.HistoryOf(r.Context(), ap, e, r.URL.Query().Get("target"), limit)
		return err
	})
	if err != nil {
		s.writeError(w, r, err, nil)
		return
	}
	writeJSON(w, http.StatusOK, rep)
}

// DeploymentsPage is GET /api/v1/deployments; Next is the before= of the
// next page (0: none).
type DeploymentsPage struct {
	Deployments []store.Deployment `json:"deployments"`
	Next        int64              `json:"next,omitempty"`
}

func (s *apiServer) deployments(w http.ResponseWriter, r *http.Request) {
	limit, before, err := paging(r)
	q := r.URL.Query()
	status := store.Status(q.Get("status"))
	switch status {
	case "", store.StatusRunning, store.StatusSucceeded, store.StatusFailed, store.StatusAborted:
	default:
		err = &api.BadRequestError{Msg: "status must be running, succeeded, failed or aborted"}
	}
	var ds []store.Deployment
	if err == nil {
		ds, err = s.store.Deployments(r.Context(), store.DeploymentFilter{Env: q.Get("env"), Target: q.Get("target"),
			Revision: q.Get("revision"), Status: status, Before: before, Limit: limit})
	}
	if err != nil {
		s.writeError(w, r, err, nil)
		return
	}
	page := DeploymentsPage{Deployments: nonNil(ds)}
	if len(ds) == limit {
		page.Next = ds[len(ds)-1].ID
	}
	writeJSON(w, http.StatusOK, page)
}

func (s *apiServer) deployment(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r)
	var d store.Deployment
	if err == nil {
		d, err = s.store.Deployment(r.Context(), id)
	}
	if err != nil {
		s.writeError(w, r, err, nil)
		return
	}
	writeJSON(w, http.StatusOK, d)
}

// PromotionsPage is GET /api/v1/promotions and /api/v1/releases.
type PromotionsPage struct {
	Promotions []store.Promotion `json:"promotions"`
	Next       int64             `json:"next,omitempty"`
}

func (s *apiServer) promotions(w http.ResponseWriter, r *http.Request) {
	s.promotionPage(w, r, r.URL.Query().Get("kind"))
}

func (s *apiServer) promotion(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r)
	var p store.Promotion
	if err == nil {
		p, err = s.store.Promotion(r.Context(), id)
	}
	if err != nil {
		s.writeError(w, r, err, nil)
		return
	}
	writeJSON(w, http.StatusOK, p)
}

func (s *apiServer) releases(w http.ResponseWriter, r *http.Request) {
	s.promotionPage(w, r, "release")
}

func (s *apiServer) promotionPage(w http.ResponseWriter, r *http.Request, kind string) {
	limit, before, err := paging(r)
	var ps []store.Promotion
	if err == nil {
		ps, err = s.store.Promotions(r.Context(), store.PromotionFilter{Kind: kind, To: r.URL.Query().Get("to"), Before: before, Limit: limit})
	}
	if err != nil {
		s.writeError(w, r, err, nil)
		return
	}
	page := PromotionsPage{Promotions: nonNil(ps)}
	if len(ps) == limit {
		page.Next = ps[len(ps)-1].ID
	}
	writeJSON(w, http.StatusOK, page)
}

// CheckRunsPage is GET /api/v1/checkruns.
type CheckRunsPage struct {
	CheckRuns []store.CheckRun `json:"checkRuns"`
	Next      int64            `json:"next,omitempty"`
}

func (s *apiServer) checkRuns(w http.ResponseWriter, r *http.Request) {
	limit, before, err := paging(r)
	var cs []store.CheckRun
	if err == nil {
		cs, err = s.store.CheckRuns(r.Context(), store.CheckRunFilter{Revision: r.URL.Query().Get("revision"), Before: before, Limit: limit})
	}
	if err != nil {
		s.writeError(w, r, err, nil)
		return
	}
	page := CheckRunsPage{CheckRuns: nonNil(cs)}
	if len(cs) == limit {
		page.Next = cs[len(cs)-1].ID
	}
	writeJSON(w, http.StatusOK, page)
}

func (s *apiServer) checkRun(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r)
	var c store.CheckRun
	if err == nil {
		c, err = s.store.CheckRun(r.Context(), id)
	}
	if err != nil {
		s.writeError(w, r, err, nil)
		return
	}
	writeJSON(w, http.StatusOK, c)
}

// EventsPage is GET /api/v1/events.
type EventsPage struct {
	Events []store.Event `json:"events"`
	Next   int64         `json:"next,omitempty"`
}

func (s *apiServer) events(w http.ResponseWriter, r *http.Request) {
	limit, before, err := paging(r)
	q := r.URL.Query()
	var es []store.Event
	if err == nil {
		es, err = s.store.Events(r.Context(), store.EventFilter{Kind: q.Get("kind"), Env: q.Get("env"), Before: before, Limit: limit})
	}
	if err != nil {
		s.writeError(w, r, err, nil)
		return
	}
	page := EventsPage{Events: nonNil(es)}
	if len(es) == limit {
		page.Next = es[len(es)-1].ID
	}
	writeJSON(w, http.StatusOK, page)
}

// action is GET /api/v1/actions/{id}?wait=30s: the action, once it ended
// or the wait (at most a minute) is over.
func (s *apiServer) action(w http.ResponseWriter, r *http.Request) {
	var wait time.Duration
	if v := r.URL.Query().Get("wait"); v != "" {
		d, err := time.ParseDuration(v)
		if err != nil || d < 0 || d > time.Minute {
			s.writeError(w, r, &api.BadRequestError{Msg: "wait must be a duration up to 1m, e.g. 30s"}, nil)
			return
		}
		wait = d
	}
	st, ok := s.actions.get(r.PathValue("id"))
	if !ok {
		s.writeError(w, r, &view.UnknownError{What: "action", Name: r.PathValue("id")}, nil)
		return
	}
	ctx, cancel := context.WithTimeout(r.Context(), wait)
	defer cancel()
	select {
	case <-st.done:
	case <-ctx.Done():
	}
	writeJSON(w, http.StatusOK, st.snapshot())
}

func boolParam(v, name string) (bool, error) {
	if v == "" {
		return false, nil
	}
	b, err := strconv.ParseBool(v)
	if err != nil {
		return false, &api.BadRequestError{Msg: name + " must be true or false"}
	}
	return b, nil
}

func nonNil[T any](xs []T) []T {
	if xs == nil {
		return []T{}
	}
	return xs
}
