package deploy

import (
	"context"
	"fmt"
	"strings"
	"time"

	"ferry.dev/ferry/internal/git"
	"ferry.dev/ferry/internal/platform"
	"ferry.dev/ferry/internal/store"
)

// Trailers of ferry's own commits that tell what a change is (package flow
// writes them; named here so deploy need not import flow).
const (
	trailerRollback = "Ferry-Rollback" // a rollback commit
	trailerFinish   = "Ferry-Finish"   // "hotfix/x -> main": a topic merge
	hotfixKind      = "hotfix"
)

// changeOf reads from Git what deploying rev brings to env: the commits rev
// has that the environment's last successful deployment lacked (all of
// rev's history for a first deployment), the oldest one's author time, and
// the kind: a rollback when rev is a ferry rollback commit, a hotfix when
// those commits include a hotfix topic's work (its finish merge and the
// topic head it merged). It is recorded with the deployment so the DORA
// metrics need no Git at query time.
func changeOf(ctx context.Context, p *platform.Platform, repo *git.Repo, st store.Store, env, rev string) (*store.Change, error) {
	args := []string{rev}
	last, err := st.Deployments(ctx, store.DeploymentFilter{Env: env, Status: store.StatusSucceeded, Limit: 1})
	if err != nil {
		return nil, err
	}
	if len(last) == 1 {
		args = append(args, "--not", last[0].Revision)
	}
	commits, err := repo.Log(ctx, args...)
	if err != nil {
		return nil, err
	}
	c := &store.Change{Kind: kindOf(p, rev, commits), Commits: len(commits)}
	if len(commits) == 0 {
		return c, nil
	}
	for _, cm := range commits {
		at, err := time.Parse(time.RFC3339, cm.AuthorDate)
		if err != nil {
			return nil, fmt.Errorf("read the author time of %s: %w", cm.ID, err)
		}
		if at = at.UTC(); c.FirstCommitAt.IsZero() || at.Before(c.FirstCommitAt) {
			c.FirstCommitAt = at
		}
	}
	return c, nil
}

// kindOf classifies the commits a deployment brings (newest first).
func kindOf(p *platform.Platform, rev string, commits []git.Commit) store.ChangeKind {
	in := make(map[string]bool, len(commits))
	for _, c := range commits {
		in[c.ID] = true
	}
	for _, c := range commits {
		if _, ok := c.Trailer(trailerRollback); ok && c.ID == rev {
			return store.ChangeRollback
		}
	}
	for _, c := range commits {
		v, ok := c.Trailer(trailerFinish)
		branch, _, _ := strings.Cut(v, " -> ")
		t, _, topic := p.TopicForBranch(strings.TrimSpace(branch))
		// The topic head must be new too: a later promotion carrying the
		// hotfix's merge into another lane is not a hotfix again.
		if ok && topic && t.Kind == hotfixKind && len(c.Parents) == 2 && in[c.Parents[1]] {
			return store.ChangeHotfix
		}
	}
	return store.ChangeNormal
}
