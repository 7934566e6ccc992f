package git

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strings"
)

// MergeNoFF merges rev into the worktree's HEAD as a merge commit (always
// --no-ff) with message msg, and returns the new commit. On conflict the merge
// is aborted and a *ConflictError lists the paths. If rev is already merged
// it returns "", nil.
func (w *Worktree) MergeNoFF(ctx context.Context, rev, into, msg string) (string, error) {
	head, err := w.Head(ctx)
	if err != nil {
		return "", err
	}
	merged, err := w.repo.IsAncestor(ctx, rev, head)
	if err != nil {
		return "", err
	}
	if merged {
		return "", nil
	}
	_, err = w.Run(ctx, "merge", "--no-ff", "--no-commit", "--quiet", rev)
	if err != nil {
		paths, perr := w.conflictPaths(ctx)
		w.Run(ctx, "merge", "--abort") // best effort: the worktree is discarded anyway
		if perr == nil && len(paths) > 0 {
			return "", &ConflictError{Into: into, From: short(rev), Paths: paths}
		}
		return "", fmt.Errorf("merge %s into %s: %w", short(rev), into, err)
	}
	if _, err := w.RunStdin(ctx, []byte(msg), "commit", "--quiet", "--no-verify", "-F", "-"); err != nil {
		return "", fmt.Errorf("commit merge of %s into %s: %w", short(rev), into, err)
	}
	return w.Head(ctx)
}

func (w *Worktree) conflictPaths(ctx context.Context) ([]string, error) {
	out, err := w.Run(ctx, "diff", "--name-only", "-z", "--diff-filter=U")
	if err != nil {
		return nil, err
	}
	var paths []string
	for _, p := range strings.Split(out, "\x00") {
		if p != "" {
			paths = append(paths, p)
		}
	}
	sort.Strings(paths)
	return paths, nil
}

// CommitTree makes a commit object with the given tree and parents, without
// touching any ref or worktree (used for rollback commits).
func (r *Repo) CommitTree(ctx context.Context, tree string, parents []string, msg string) (string, error) {
	args := []string{"commit-tree"}
	for _, p := range parents {
		args = append(args, "-p", p)
	}
	args = append(args, "-F", "-", tree)
	out, err := r.RunStdin(ctx, []byte(msg), args...)
	if err != nil {
		return "", fmt.Errorf("commit-tree: %w", err)
	}
	return strings.TrimSpace(out), nil
}

// Tree returns the tree ID of a commit or tag.
func (r *Repo) Tree(ctx context.Context, rev string) (string, error) {
	out, err := r.Run(ctx, "rev-parse", "--verify", "--quiet", "--end-of-options", rev+"^{tree}")
	if err != nil {
		return "", &RefError{Ref: rev, Err: ErrUnknownRef, Msg: "unknown revision"}
	}
	return strings.TrimSpace(out), nil
}

// IsConflict reports whether err is a merge conflict.
func IsConflict(err error) bool { return errors.Is(err, ErrConflict) }

// IsNonFastForward reports whether err is a non-fast-forward or lost CAS.
func IsNonFastForward(err error) bool { return errors.Is(err, ErrNonFastForward) }
