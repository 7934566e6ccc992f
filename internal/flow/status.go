package flow

import (
	"context"
	"fmt"
	"strconv"
	"strings"

	"ferry.dev/ferry/internal/store"
)

// LaneStatus is one lane as `ferry status` shows it.
type LaneStatus struct {
	Lane      string `json:"lane"`
	Env       string `json:"env,omitempty"`
	Protected bool   `json:"protected"`
	Head      string `json:"head,omitempty"`
	Subject   string `json:"subject,omitempty"`
	Version   string `json:"version,omitempty"` // latest version tag the tree carries
	// RolledBack: the lane's tree was rolled back to this tag and no
	// promotion has replaced it since (Version is then that tag's).
	RolledBack string `json:"rolledBack,omitempty"`
	Upstream   string `json:"upstream,omitempty"`
	Waiting    int    `json:"waiting"` // commits upstream has that this lane lacks
	// WaitingCommits are those commits, newest first, at most
	// MaxWaitingCommits (Waiting counts them all).
	WaitingCommits []CommitInfo `json:"waitingCommits"`
	Drift          []CommitInfo `json:"drift"`
	Error          string       `json:"error,omitempty"`
}

// MaxWaitingCommits is how many of the commits waiting for a lane
// LaneStatus lists.
const MaxWaitingCommits = 20

// Lanes reports every lane in promotion order. A lane that cannot be read
// carries its error instead of failing the whole report.
func (e *Engine) Lanes(ctx context.Context) ([]LaneStatus, error) {
	if err := e.Sync(ctx); err != nil {
		return nil, err
	}
	out := make([]LaneStatus, 0, len(e.P.Spec.Lanes))
	for _, l := range e.P.Spec.Lanes {
		ls := LaneStatus{Lane: l.Name, Protected: l.Protected, Upstream: e.upstream(l.Name), Drift: []CommitInfo{}, WaitingCommits: []CommitInfo{}}
		if env, ok := e.P.EnvForLane(l.Name); ok {
			ls.Env = env.Name
		}
		if err := e.laneStatus(ctx, &ls); err != nil {
			ls.Error = err.Error()
		}
		out = append(out, ls)
	}
	return out, nil
}

func (e *Engine) laneStatus(ctx context.Context, ls *LaneStatus) error {
	head, err := e.branchHead(ctx, ls.Lane)
	if err != nil {
		return err
	}
	ls.Head = head
	if cs, err := e.Repo.Log(ctx, "-1", head); err == nil && len(cs) == 1 {
		ls.Subject = cs[0].Subject
	}
	lc, err := e.content(ctx, ls.Lane, head)
	if err != nil {
		return err
	}
	ls.RolledBack = lc.RolledBack
	pfx := e.tagPrefix()
	if ls.Version, err = e.Repo.Describe(ctx, lc.Tips[0], pfx+"[0-9]*", ""); err != nil {
		return err
	}
	if ls.Upstream != "" {
		up, err := e.branchHead(ctx, ls.Upstream)
		if err != nil {
			return err
		}
		args := append([]string{"rev-list", "--count", "--no-merges", up}, lc.exclude()...)
		out, err := e.Repo.Run(ctx, append(args, "--")...)
		if err != nil {
			return fmt.Errorf("count waiting commits: %w", err)
		}
		ls.Waiting, _ = strconv.Atoi(strings.TrimSpace(out))
		if ls.Waiting > 0 {
			cs, err := e.Repo.Log(ctx, append([]string{"--no-merges", "-n", strconv.Itoa(MaxWaitingCommits), up}, lc.exclude()...)...)
			if err != nil {
				return fmt.Errorf("list waiting commits: %w", err)
			}
			for _, c := range cs {
				ls.WaitingCommits = append(ls.WaitingCommits, infoOf(c))
			}
		}
	}
	drift, err := e.Drift(ctx, ls.Lane)
	if err != nil {
		return err
	}
	if drift != nil {
		ls.Drift = drift
	}
	return nil
}

// HistoryTarget resolves an environment or lane name to a lane.
func (e *Engine) HistoryTarget(name string) (lane, env string, err error) {
	if en, ok := e.P.Env(name); ok {
		return en.Lane, en.Name, nil
	}
	if _, ok := e.P.Lane(name); ok {
		if en, ok := e.P.EnvForLane(name); ok {
			env = en.Name
		}
		return name, env, nil
	}
	known := e.P.LaneNames()
	for _, x := range e.P.Spec.Environments {
		known = append(known, x.Name)
	}
	return "", "", &UnknownLaneError{What: "environment or lane", Name: name, Known: known}
}

// History lists the lane moves ferry recorded into lane (all lanes when
// lane is ""), newest first, overrides included.
func (e *Engine) History(ctx context.Context, lane string, limit int) ([]store.Promotion, error) {
	ps, err := e.Store.Promotions(ctx, store.PromotionFilter{To: lane, Limit: limit})
	if err != nil {
		return nil, fmt.Errorf("read history: %w", err)
	}
	if ps == nil {
		ps = []store.Promotion{}
	}
	return ps, nil
}
