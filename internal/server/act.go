package server

import (
	"context"
	"net/http"

	"ferry.dev/ferry/internal/api"
	"ferry.dev/ferry/internal/app"
	"ferry.dev/ferry/internal/auth"
	"ferry.dev/ferry/internal/deploy"
	"ferry.dev/ferry/internal/flow"
	"ferry.dev/ferry/internal/platform"
	"ferry.dev/ferry/internal/store"
	"ferry.dev/ferry/internal/view"
)

// authorize loads the platform, checks that env exists (when named) and
// that the principal may perform every one of acts on t(p).
func (s *apiServer) authorize(r *http.Request, t func(p *platform.Platform) (auth.Target, error), acts ...auth.Action) (*platform.Platform, error) {
	p, _, err := s.snaps.get(r.Context())
	if err != nil {
		return nil, err
	}
	tg, err := t(p)
	if err != nil {
		return nil, err
	}
	for _, a := range acts {
		if err := auth.Allow(principalOf(r), a, tg); err != nil {
			s.log.Warn("api action refused", "actor", principalOf(r).Name, "action", string(a), "env", tg.Env, "why", err.Error())
			return nil, err
		}
	}
	s.log.Info("api action", "actor", principalOf(r).Name, "method", r.Method, "path", r.URL.Path, "env", tg.Env)
	return p, nil
}

func envTarget(env string) func(p *platform.Platform) (auth.Target, error) {
	return func(p *platform.Platform) (auth.Target, error) {
		if _, ok := p.Env(env); !ok {
			return auth.Target{}, &deploy.UnknownEnvError{Env: env} // what the command line says
		}
		return target(p, env), nil
	}
}

func laneTargetOf(lane string) func(p *platform.Platform) (auth.Target, error) {
	return func(p *platform.Platform) (auth.Target, error) {
		if _, ok := p.Lane(lane); !ok {
			return auth.Target{}, &flow.UnknownLaneError{What: "lane", Name: lane, Known: p.LaneNames()}
		}
		return laneTarget(p, lane), nil
	}
}

// sync is POST /api/v1/environments/{env}/sync: 202 with the action once
// the deployment is recorded (its ID in the action), or the refusal (a
// held lock, an unknown revision) as an error. A dry run answers 200 with
// the finished plan.
func (s *apiServer) sync(w http.ResponseWriter, r *http.Request) {
	req, err := api.Decode[api.SyncRequest](r.Body)
	env := r.PathValue("env")
	var p *platform.Platform
	if err == nil {
		p, err = s.authorize(r, envTarget(env), auth.Sync)
	}
	if err != nil {
		s.writeError(w, r, err, nil)
		return
	}
	actor, kind := principalOf(r).Name, "sync"
	if req.DryRun {
		kind = "plan"
	}
	st := s.actions.start(kind, env, actor, s.store, func(ctx context.Context, st store.Store) (any, error) {
		ap, err := s.openApp(ctx, p, actor, st)
		if err != nil {
			return nil, err
		}
		defer ap.Close()
		var rep *deploy.Report
		if req.DryRun {
			rep, err = ap.Plan(ctx, env, req.Ref)
		} else {
			rep, err = ap.Sync(ctx, env, req.Ref)
		}
		if rep == nil {
			return nil, err
		}
		return rep, err
	})
	s.answerAction(w, r, st)
}

// rollback is POST /api/v1/environments/{env}/rollback: the rollback
// commit (made holding the mirror), then, unless noSync, its deployment.
func (s *apiServer) rollback(w http.ResponseWriter, r *http.Request) {
	req, err := api.Decode[api.RollbackRequest](r.Body)
	env := r.PathValue("env")
	var p *platform.Platform
	if err == nil {
		p, err = s.authorize(r, envTarget(env), auth.Rollback)
	}
	if err != nil {
		s.writeError(w, r, err, nil)
		return
	}
	actor := principalOf(r).Name
	st := s.actions.start("rollback", env, actor, s.store, func(ctx context.Context, st store.Store) (any, error) {
		ap, err := s.openApp(ctx, p, actor, st)
		if err != nil {
			return nil, err
		}
		defer ap.Close()
		var res *flow.RollbackResult
		err = s.backend.Exclusive(func() (err error) {
			res, err = ap.RollbackCommit(ctx, env, req.To)
			return err
		})
		if res == nil {
			return nil, err
		}
		s.moved(ctx, res.Lane)
		switch {
		case req.NoSync:
			return res, err
		case err != nil: // the shape ferry rollback prints: the rollback, no deployment
			return RollbackReport{Rollback: res}, err
		}
		rep, err := ap.RollbackSync(ctx, res)
		return RollbackReport{Rollback: res, Deployment: rep}, err
	})
	s.answerAction(w, r, st)
}

// RollbackReport is a synced rollback's result: ferry rollback -o json.
type RollbackReport struct {
	Rollback   *flow.RollbackResult `json:"rollback"`
	Deployment *deploy.Report       `json:"deployment"`
}

// answerAction waits for the action's deployment (or its end): 202 while
// it runs, 200 when it ended well, the error when it ended without a
// deployment to follow.
func (s *apiServer) answerAction(w http.ResponseWriter, r *http.Request, st *actionState) {
	select {
	case <-st.started:
	case <-r.Context().Done():
	}
	a := st.snapshot()
	switch {
	case a.Status == api.ActionRunning:
		writeJSON(w, http.StatusAccepted, a)
	case a.Status == api.ActionFailed && a.Deployment == 0:
		e := *a.Error
		e.Result = a.Result
		writeJSON(w, api.StatusOf(e.Code), e)
	default:
		writeJSON(w, http.StatusOK, a)
	}
}

func (s *apiServer) moved(ctx context.Context, lanes ...string) {
	s.snaps.invalidate()
	s.backend.Moved(ctx, lanes)
}

// promote is POST /api/v1/lanes/{lane}/promote: the promotion, made
// holding the mirror as the agent's are; 200 with flow's result, 409
// gate_blocked with the result when its gates refuse.
func (s *apiServer) promote(w http.ResponseWriter, r *http.Request) {
	req, err := api.Decode[api.PromoteRequest](r.Body)
	lane := r.PathValue("lane")
	acts := []auth.Action{auth.Promote}
	if req.Override != "" {
		acts = append(acts, auth.Override)
	}
	var p *platform.Platform
	if err == nil {
		p, err = s.authorize(r, laneTargetOf(lane), acts...)
	}
	if err != nil {
		s.writeError(w, r, err, nil)
		return
	}
	var res *flow.Result
	err = s.lanesAction(r, p, func(ap *app.App) (err error) {
		res, err = ap.Promote(r.Context(), lane, flow.PromoteOptions{DryRun: req.DryRun, Override: req.Override, Ref: req.Ref})
		return err
	})
	if res != nil && res.Commit != "" {
		s.moved(r.Context(), lane)
	}
	answer(s, w, r, res, err)
}

// approve is POST /api/v1/lanes/{lane}/approve.
func (s *apiServer) approve(w http.ResponseWriter, r *http.Request) {
	req, err := api.Decode[api.ApproveRequest](r.Body)
	lane := r.PathValue("lane")
	var p *platform.Platform
	if err == nil {
		p, err = s.authorize(r, laneTargetOf(lane), auth.Approve)
	}
	if err != nil {
		s.writeError(w, r, err, nil)
		return
	}
	var a *flow.Approval
	err = s.lanesAction(r, p, func(ap *app.App) (err error) {
		a, err = ap.Approve(r.Context(), lane, req.Revision, req.Comment)
		return err
	})
	answer(s, w, r, a, err)
}

// release is POST /api/v1/release (admin): version, tag, changelog.
func (s *apiServer) release(w http.ResponseWriter, r *http.Request) {
	req, err := api.Decode[api.ReleaseRequest](r.Body)
	acts := []auth.Action{auth.Release}
	if req.Override != "" {
		acts = append(acts, auth.Override)
	}
	var p *platform.Platform
	if err == nil {
		p, err = s.authorize(r, func(p *platform.Platform) (auth.Target, error) {
			return target(p, view.ProductionEnv(p)), nil
		}, acts...)
	}
	if err != nil {
		s.writeError(w, r, err, nil)
		return
	}
	bump := req.Bump
	if bump == "" {
		bump = "auto"
	}
	b, err := flow.ParseBump(bump)
	if err != nil {
		s.writeError(w, r, &api.BadRequestError{Msg: err.Error()}, nil)
		return
	}
	var res *flow.ReleaseResult
	err = s.lanesAction(r, p, func(ap *app.App) (err error) {
		res, err = ap.Release(r.Context(), flow.ReleaseOptions{RC: req.RC, Bump: b, DryRun: req.DryRun, Override: req.Override})
		return err
	})
	if res != nil && res.Commit != "" {
		s.moved(r.Context(), res.To)
	}
	answer(s, w, r, res, err)
}

// lanesAction runs a lane-moving use case as the principal, holding the
// mirror.
func (s *apiServer) lanesAction(r *http.Request, p *platform.Platform, fn func(ap *app.App) error) error {
	ap, err := s.openApp(r.Context(), p, principalOf(r).Name, s.store)
	if err != nil {
		return err
	}
	defer ap.Close()
	return s.backend.Exclusive(func() error { return fn(ap) })
}

// answer writes a use case's result (200) or its error, with the result
// when there is one (a blocked promotion's gates).
func answer[T any](s *apiServer, w http.ResponseWriter, r *http.Request, res *T, err error) {
	if err != nil {
		var result any
		if res != nil {
			result = res
		}
		s.writeError(w, r, err, result)
		return
	}
	writeJSON(w, http.StatusOK, res)
}
