package flow

import (
	"context"
	"fmt"
	"strings"

	"ferry.dev/ferry/internal/git"
	"ferry.dev/ferry/internal/platform"
)

// UnknownLaneError is a lane, environment or topic kind not in ferry.yaml.
type UnknownLaneError struct {
	What  string // "lane", "environment", "topic kind"
	Name  string
	Known []string
}

func (e *UnknownLaneError) Error() string {
	return fmt.Sprintf("unknown %s %q (known: %s)", e.What, e.Name, strings.Join(e.Known, ", "))
}
func (e *UnknownLaneError) ConfigError() bool { return true }

func (e *Engine) lane(name string) (platform.Lane, error) {
	l, ok := e.P.Lane(name)
	if !ok {
		return platform.Lane{}, &UnknownLaneError{What: "lane", Name: name, Known: e.P.LaneNames()}
	}
	return l, nil
}

func (e *Engine) env(name string) (platform.Environment, error) {
	env, ok := e.P.Env(name)
	if !ok {
		var known []string
		for _, x := range e.P.Spec.Environments {
			known = append(known, x.Name)
		}
		return platform.Environment{}, &UnknownLaneError{What: "environment", Name: name, Known: known}
	}
	return env, nil
}

// LaneHead returns the commit a lane is at: on the remote (as of the last
// fetch) when there is one, else the local branch.
func (e *Engine) LaneHead(ctx context.Context, lane string) (string, error) {
	if _, err := e.lane(lane); err != nil {
		return "", err
	}
	return e.branchHead(ctx, lane)
}

func (e *Engine) branchHead(ctx context.Context, branch string) (string, error) {
	if e.Remote != "" {
		h, err := e.Repo.RemoteHead(ctx, e.Remote, branch)
		if err != nil {
			return "", fmt.Errorf("read lane %s: %w", branch, err)
		}
		return h, nil
	}
	h, err := e.Repo.BranchHead(ctx, branch)
	if err != nil {
		return "", fmt.Errorf("read lane %s: %w", branch, err)
	}
	return h, nil
}

// Sync fetches from the remote, if there is one.
func (e *Engine) Sync(ctx context.Context) error {
	if e.Remote == "" {
		return nil
	}
	e.logf("fetching %s", e.Remote)
	return e.Repo.Fetch(ctx, e.Remote)
}

// upstream returns the lane that feeds lane (its promotion's source), "" for
// the first lane.
func (e *Engine) upstream(lane string) string {
	if pr, ok := e.P.PromotionTo(lane); ok {
		return pr.From
	}
	return ""
}

// CommitInfo is a commit as ferry reports it.
type CommitInfo struct {
	ID      string `json:"id"`
	Short   string `json:"short"`
	Subject string `json:"subject"`
	Author  string `json:"author"`
	Date    string `json:"date"`
}

func infoOf(c git.Commit) CommitInfo {
	return CommitInfo{ID: c.ID, Short: shortID(c.ID), Subject: c.Subject, Author: c.Author, Date: c.Date}
}

func shortID(id string) string {
	if len(id) > 12 {
		return id[:12]
	}
	return id
}

// Drift lists commits on a protected lane that ferry did not make: commits
// on the lane's first-parent line, not reachable from its upstream lane,
// without a Ferry-* trailer, made since the lane's tree was last set by a
// promotion, release or rollback (which replaced whatever hand edits came
// before it; a promotion over a hand edit needs --override, recorded). The
// walk is bounded by the lane's own commits since it left its upstream, not
// by the length of history.
func (e *Engine) Drift(ctx context.Context, lane string) ([]CommitInfo, error) {
	l, err := e.lane(lane)
	if err != nil {
		return nil, err
	}
	up := e.upstream(lane)
	if !l.Protected || up == "" {
		return nil, nil
	}
	head, err := e.branchHead(ctx, lane)
	if err != nil {
		return nil, err
	}
	upHead, err := e.branchHead(ctx, up)
	if err != nil {
		return nil, err
	}
	commits, err := e.Repo.Log(ctx, "--first-parent", head, "^"+upHead)
	if err != nil {
		return nil, fmt.Errorf("drift of %s: %w", lane, err)
	}
	var drift []CommitInfo
	for _, c := range commits {
		if has(c, TrailerPromotion) || has(c, TrailerRollback) {
			break
		}
		if !c.HasTrailerPrefix("Ferry-") {
			drift = append(drift, infoOf(c))
		}
	}
	return drift, nil
}

// Diff lists the non-merge commits a has that b lacks, newest first. a and b
// are lanes or any revision. A lane stands for what its tree carries: after
// a rollback, the tag's history (plus what was merged since), not
// everything the rollback commit descends from.
func (e *Engine) Diff(ctx context.Context, a, b string) ([]CommitInfo, error) {
	ta, err := e.tips(ctx, a)
	if err != nil {
		return nil, err
	}
	tb, err := e.tips(ctx, b)
	if err != nil {
		return nil, err
	}
	args := append([]string{"--no-merges"}, ta.Tips...)
	commits, err := e.Repo.Log(ctx, append(args, tb.exclude()...)...)
	if err != nil {
		return nil, fmt.Errorf("diff %s %s: %w", a, b, err)
	}
	out := make([]CommitInfo, 0, len(commits))
	for _, c := range commits {
		out = append(out, infoOf(c))
	}
	return out, nil
}

// tips resolves a lane to what its tree carries, a revision to itself.
func (e *Engine) tips(ctx context.Context, ref string) (laneContent, error) {
	rev, err := e.resolve(ctx, ref)
	if err != nil {
		return laneContent{}, err
	}
	if _, ok := e.P.Lane(ref); ok {
		return e.content(ctx, ref, rev)
	}
	return laneContent{Tips: []string{rev}}, nil
}

// resolve turns a lane name (remote-aware) or a revision into a commit ID.
func (e *Engine) resolve(ctx context.Context, ref string) (string, error) {
	if _, ok := e.P.Lane(ref); ok {
		return e.branchHead(ctx, ref)
	}
	if strings.HasPrefix(ref, "-") {
		return "", &git.NameError{Name: ref, Reason: "starts with '-'"}
	}
	return e.Repo.ResolveCommit(ctx, ref)
}
