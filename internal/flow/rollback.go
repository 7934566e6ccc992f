package flow

import (
	"context"
	"fmt"

	"ferry.dev/ferry/internal/git"
	"ferry.dev/ferry/internal/store"
)

// RollbackResult is a rollback commit on an environment's lane.
type RollbackResult struct {
	Env         string   `json:"env"`
	Lane        string   `json:"lane"`
	Tag         string   `json:"tag"`
	TagCommit   string   `json:"tagCommit"`
	Previous    string   `json:"previous"` // the lane head before
	Commit      string   `json:"commit,omitempty"`
	UpToDate    bool     `json:"upToDate"` // the lane's tree already equals the tag's
	PromotionID int64    `json:"promotionId,omitempty"`
	Attempts    int      `json:"attempts"`
	Notes       []string `json:"notes,omitempty"`
}

// UnknownTagError: the tag to roll back to does not exist.
type UnknownTagError struct{ Tag string }

func (e *UnknownTagError) Error() string     { return fmt.Sprintf("unknown tag %q", e.Tag) }
func (e *UnknownTagError) ConfigError() bool { return true }
func (e *UnknownTagError) Hint() string      { return "git tag --list to see the versions" }

// Rollback commits, on env's lane, a tree equal to tag's tree with the lane
// head as parent (trailer Ferry-Rollback: TAG). It does not deploy.
func (e *Engine) Rollback(ctx context.Context, envName, tag string) (*RollbackResult, error) {
	env, err := e.env(envName)
	if err != nil {
		return nil, err
	}
	if err := git.ValidateTagName(tag); err != nil {
		return nil, err
	}
	res := &RollbackResult{Env: env.Name, Lane: env.Lane, Tag: tag}
	defer e.releaseInflight()
	for attempt := 1; ; attempt++ {
		res.Attempts = attempt
		if err := e.Sync(ctx); err != nil {
			return nil, err
		}
		e.recoverRecords(ctx, env.Lane)
		if ok, _ := e.Repo.RefExists(ctx, "refs/tags/"+tag); !ok {
			return nil, &UnknownTagError{Tag: tag}
		}
		if res.TagCommit, err = e.Repo.ResolveCommit(ctx, "refs/tags/"+tag); err != nil {
			return nil, err
		}
		if res.Previous, err = e.branchHead(ctx, env.Lane); err != nil {
			return nil, err
		}
		tree, err := e.Repo.Tree(ctx, res.TagCommit)
		if err != nil {
			return nil, err
		}
		if cur, err := e.Repo.Tree(ctx, res.Previous); err != nil || cur == tree {
			res.UpToDate = err == nil
			res.Notes = e.catchUp(ctx, env.Lane)
			return res, err
		}
		msg := git.Message(fmt.Sprintf("Roll back %s to %s", env.Name, tag), "",
			e.trailerSet(TrailerRollback, tag, res.TagCommit, nil, ""))
		if res.Commit, err = e.Repo.CommitTree(ctx, tree, []string{res.Previous}, msg); err != nil {
			return nil, err
		}
		e.inflight(ctx, res.Commit)
		res.Notes, err = e.publish(ctx, []git.RefUpdate{{Ref: "refs/heads/" + env.Lane, New: res.Commit, Old: res.Previous}}, "ferry: roll back to "+tag)
		if git.IsNonFastForward(err) && attempt < e.maxAttempts {
			e.logf("%s moved while rolling back (%v); re-planning", env.Lane, err)
			continue
		}
		if err != nil {
			res.Commit = ""
			return res, fmt.Errorf("roll back %s to %s: %w", env.Name, tag, err)
		}
		res.PromotionID, err = e.record(ctx, store.Promotion{Kind: "rollback", From: tag, To: env.Lane,
			Revision: res.TagCommit, Commit: res.Commit, Version: tag})
		return res, err
	}
}
