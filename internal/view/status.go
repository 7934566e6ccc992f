package view

import (
	"context"
	"fmt"
	"time"

	"ferry.dev/ferry/internal/agent"
	"ferry.dev/ferry/internal/app"
	"ferry.dev/ferry/internal/deploy"
	"ferry.dev/ferry/internal/flow"
	"ferry.dev/ferry/internal/store"
)

// Status is the report of ferry status (its stable -o json shape), also
// served as GET /api/v1/status for ferry status --server.
type Status struct {
	Lanes []flow.LaneStatus `json:"lanes"`
	// Environments: per env and target, deployed revision, health, drift.
	Environments []deploy.TargetStatus `json:"environments,omitempty"`
	// Agent: what ferry serve last did per environment (absent when it
	// never ran).
	Agent []AgentStatus `json:"agent,omitempty"`
}

// AgentStatus is the agent's newest recorded outcome for an environment.
type AgentStatus struct {
	Env string    `json:"env"`
	At  time.Time `json:"at"`
	agent.Outcome
}

// Problem says whether the report shows something wrong (ferry status
// exits 1): drift on a lane, a lane that cannot be read, or a deployed
// target that is unhealthy, drifted or failed to report. Never-deployed
// targets are not a problem.
func (s *Status) Problem() bool {
	for _, l := range s.Lanes {
		if len(l.Drift) > 0 || l.Error != "" {
			return true
		}
	}
	for _, t := range s.Environments {
		if t.Revision != "" && (!t.Healthy || t.Drift || t.Error != "") {
			return true
		}
	}
	return false
}

// StatusOf builds ferry status's report: every lane (or only the lane
// feeding env), each environment's targets (live: health and drift
// checked against clusters and backends now) and the agent's last outcomes.
func StatusOf(ctx context.Context, ap *app.App, e *flow.Engine, env string, live bool) (*Status, error) {
	rep := &Status{Lanes: []flow.LaneStatus{}}
	if err := statusLanes(ctx, e, env, rep); err != nil {
		return nil, fmt.Errorf("status lanes: %w", err)
	}
	for _, en := range e.P.Spec.Environments {
		if env != "" && en.Name != env {
			continue
		}
		ts, err := ap.Status(ctx, en.Name, live)
		if err != nil {
			return nil, fmt.Errorf("status environments: %w", err)
		}
		rep.Environments = append(rep.Environments, ts...)
		out, at, ok, err := agent.LastOutcome(ctx, e.Store, en.Name)
		if err != nil {
			return nil, fmt.Errorf("status agent: %w", err)
		}
		if ok {
			rep.Agent = append(rep.Agent, AgentStatus{Env: en.Name, At: at, Outcome: out})
		}
	}
	return rep, nil
}

func statusLanes(ctx context.Context, e *flow.Engine, env string, rep *Status) error {
	want := ""
	if env != "" {
		lane, _, err := e.HistoryTarget(env)
		if err != nil {
			return err
		}
		want = lane
	}
	lanes, err := e.Lanes(ctx)
	if err != nil {
		return err
	}
	for _, l := range lanes {
		if want == "" || l.Lane == want {
			rep.Lanes = append(rep.Lanes, l)
		}
	}
	return nil
}

// History is the report of ferry history (its -o json shape), also served
// as GET /api/v1/history.
type History struct {
	Lane       string            `json:"lane,omitempty"`
	Env        string            `json:"env,omitempty"`
	Promotions []store.Promotion `json:"promotions"`
	// Deployments of Env, newest first.
	Deployments []store.Deployment `json:"deployments,omitempty"`
}

// HistoryOf lists what ferry moved into target's lane (an environment or a
// lane; "" for all lanes), newest first, and an environment's deployments.
func HistoryOf(ctx context.Context, ap *app.App, e *flow.Engine, target string, limit int) (*History, error) {
	rep := &History{}
	var err error
	if target != "" {
		if rep.Lane, rep.Env, err = e.HistoryTarget(target); err != nil {
			return nil, err
		}
	}
	if rep.Promotions, err = e.History(ctx, rep.Lane, limit); err != nil {
		return nil, fmt.Errorf("history promotions: %w", err)
	}
	if rep.Env != "" {
		if rep.Deployments, err = ap.Deployments(ctx, rep.Env, limit); err != nil {
			return nil, fmt.Errorf("history deployments: %w", err)
		}
	}
	return rep, nil
}
