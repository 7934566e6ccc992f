package flow

import (
	"context"
	"fmt"
	"strings"

	"ferry.dev/ferry/internal/git"
)

// A promotion makes the lane's tree equal to the candidate's tree: what was
// on the lane and is not in the candidate (a rolled-back tree, a hand edit
// let through with --override) does not survive it. The commit is still a
// merge with the lane head and the candidate as parents. A rollback commit
// replaces the lane's tree with a tag's while the lane's history still
// reaches everything before it; laneContent says what a lane's tree is made
// of, so that diff, status and promotion planning follow the tree.

// contentWalk bounds the first-parent walk looking for the last commit that
// set a lane's tree (promotion, release or rollback).
const contentWalk = 200

// laneContent is what a lane's tree carries.
type laneContent struct {
	// Tips are the commits whose history the tree carries: the lane head,
	// or after a rollback the tag's commit plus what was merged since.
	Tips []string
	// RolledBack is the tag of a rollback no promotion has superseded yet.
	RolledBack string
	// Finishes are topic merges onto the lane since its tree was last set.
	Finishes []git.Commit
}

// content walks lane's first-parent line back from head to the last
// promotion, release or rollback commit.
func (e *Engine) content(ctx context.Context, lane, head string) (laneContent, error) {
	lc := laneContent{Tips: []string{head}}
	args := []string{"--first-parent", fmt.Sprintf("--max-count=%d", contentWalk), head}
	if up := e.upstream(lane); up != "" {
		if uh, err := e.branchHead(ctx, up); err == nil {
			args = append(args, "^"+uh)
		}
	}
	commits, err := e.Repo.Log(ctx, args...)
	if err != nil {
		return lc, fmt.Errorf("read lane %s: %w", lane, err)
	}
	var merged []string
	for _, c := range commits {
		switch {
		case has(c, TrailerPromotion):
			return lc, nil
		case has(c, TrailerRollback):
			tagCommit, err := e.Repo.ResolveCommit(ctx, trailer(c, TrailerRevision))
			if err != nil {
				return lc, nil // not a rollback ferry can read: ancestry it is
			}
			lc.RolledBack = trailer(c, TrailerRollback)
			lc.Tips = append([]string{tagCommit}, merged...)
			return lc, nil
		case has(c, TrailerFinish):
			lc.Finishes = append(lc.Finishes, c)
		}
		if len(c.Parents) > 1 {
			merged = append(merged, c.Parents[1:]...)
		}
	}
	return lc, nil
}

// contains reports whether the lane's tree carries rev.
func (e *Engine) contains(ctx context.Context, lc laneContent, rev string) (bool, error) {
	for _, tip := range lc.Tips {
		ok, err := e.Repo.IsAncestor(ctx, rev, tip)
		if err != nil || ok {
			return ok, err
		}
	}
	return false, nil
}

// exclude turns the tips into rev-list exclusions ("^tip").
func (lc laneContent) exclude() []string {
	out := make([]string, len(lc.Tips))
	for i, t := range lc.Tips {
		out[i] = "^" + t
	}
	return out
}

// carriedGate fails when the target lane got topic merges since its tree was
// last set that the candidate lacks: the promotion would drop them (e.g. a
// hotfix finished into an open release candidate but not yet on main).
func (e *Engine) carriedGate(ctx context.Context, lane string, lc laneContent, candidate string) (Gate, bool) {
	if len(lc.Finishes) == 0 {
		return Gate{}, false
	}
	g := Gate{Name: "carried"}
	var missing []string
	for _, c := range lc.Finishes {
		rev := trailer(c, TrailerRevision)
		if rev == "" && len(c.Parents) > 1 {
			rev = c.Parents[1]
		}
		if ok, err := e.Repo.IsAncestor(ctx, rev, candidate); err != nil || !ok {
			from, _, _ := strings.Cut(trailer(c, TrailerFinish), " -> ")
			missing = append(missing, fmt.Sprintf("%s (%s)", from, shortID(rev)))
		}
	}
	if len(missing) > 0 {
		g.Reason = fmt.Sprintf("%s carries %s, which %s lacks: promoting would drop it (let it reach %s first)",
			lane, strings.Join(missing, ", "), shortID(candidate), shortID(candidate))
		return g, true
	}
	g.Passed = true
	g.Reason = fmt.Sprintf("%s has every topic merged into %s since its last promotion", shortID(candidate), lane)
	return g, true
}

// promotionCommit makes the commit a promotion or release puts on the lane:
// the candidate's tree (the lane's own when it already carries the
// candidate), with the changelog section prepended to the release lane's
// changelog when section is set; parents are the lane head and, unless the
// lane already carries it, the candidate. No ref or worktree is touched.
func (e *Engine) promotionCommit(ctx context.Context, p *Plan, msg, section string) (string, error) {
	src, parents := p.Candidate, []string{p.Target, p.Candidate}
	if p.UpToDate {
		src, parents = p.Target, []string{p.Target}
	}
	tree, err := e.Repo.Tree(ctx, src)
	if err != nil {
		return "", err
	}
	if section != "" {
		old, err := e.changelogBase(ctx, p.Target, src)
		if err != nil {
			return "", err
		}
		if tree, err = e.Repo.TreeWithFile(ctx, tree, e.P.Spec.Versioning.Changelog, []byte(PrependChangelog(old, section))); err != nil {
			return "", fmt.Errorf("write changelog: %w", err)
		}
	}
	return e.Repo.CommitTree(ctx, tree, parents, msg)
}

// changelogBase is the changelog the new section goes on top of: the one
// of the newest version tag the release lane reaches (so a rollback's older
// file does not lose released sections), else the lane's, else the
// candidate's.
func (e *Engine) changelogBase(ctx context.Context, lane, candidate string) (string, error) {
	file := e.P.Spec.Versioning.Changelog
	revs := []string{lane, candidate}
	if tag, err := e.Repo.Describe(ctx, lane, e.tagPrefix()+"[0-9]*", ""); err == nil && tag != "" {
		revs = append([]string{"refs/tags/" + tag}, revs...)
	}
	for _, rev := range revs {
		b, ok, err := e.Repo.ReadFile(ctx, rev, file)
		if err != nil {
			return "", fmt.Errorf("read changelog: %w", err)
		}
		if ok {
			return string(b), nil
		}
	}
	return "", nil
}
