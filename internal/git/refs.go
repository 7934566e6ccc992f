package git

import (
	"context"
	"fmt"
	"strings"
)

// ResolveCommit returns the full commit ID rev names, or a *RefError with
// ErrUnknownRef. rev is passed after --end-of-options so it is never an option.
func (r *Repo) ResolveCommit(ctx context.Context, rev string) (string, error) {
	out, err := r.Run(ctx, "rev-parse", "--verify", "--quiet", "--end-of-options", rev+"^{commit}")
	if err != nil {
		return "", &RefError{Ref: rev, Err: ErrUnknownRef, Msg: "unknown revision"}
	}
	return strings.TrimSpace(out), nil
}

// RefExists reports whether the full ref (refs/heads/x, refs/tags/v1) exists.
func (r *Repo) RefExists(ctx context.Context, ref string) (bool, error) {
	_, err := r.Run(ctx, "show-ref", "--verify", "--quiet", ref)
	if err == nil {
		return true, nil
	}
	if exitCode(err) == 1 {
		return false, nil
	}
	return false, fmt.Errorf("show-ref %s: %w", ref, err)
}

// BranchHead returns the commit of a local branch (ErrUnknownRef if absent).
func (r *Repo) BranchHead(ctx context.Context, branch string) (string, error) {
	if err := ValidateBranchName(branch); err != nil {
		return "", err
	}
	out, err := r.Run(ctx, "rev-parse", "--verify", "--quiet", "refs/heads/"+branch+"^{commit}")
	if err != nil {
		return "", &RefError{Ref: branch, Err: ErrUnknownRef, Msg: "no such branch"}
	}
	return strings.TrimSpace(out), nil
}

// UpdateRef moves ref from old to new atomically (compare-and-swap). An old
// of "" means the ref must not exist yet. A ref that moved in between gives a
// *RefError wrapping ErrNonFastForward; nothing is changed.
func (r *Repo) UpdateRef(ctx context.Context, ref, newRev, oldRev, reason string) error {
	if oldRev == "" {
		oldRev = strings.Repeat("0", len(newRev))
	}
	if _, err := r.Run(ctx, "update-ref", "-m", reason, ref, newRev, oldRev); err != nil {
		return &RefError{Ref: ref, Err: ErrNonFastForward, Msg: "moved concurrently (expected " + short(oldRev) + "): " + err.Error()}
	}
	return nil
}

// IsAncestor reports whether a is an ancestor of (or equal to) b.
func (r *Repo) IsAncestor(ctx context.Context, a, b string) (bool, error) {
	_, err := r.Run(ctx, "merge-base", "--is-ancestor", a, b)
	if err == nil {
		return true, nil
	}
	if exitCode(err) == 1 {
		return false, nil
	}
	return false, fmt.Errorf("merge-base %s %s: %w", short(a), short(b), err)
}

func short(rev string) string {
	if len(rev) > 12 {
		return rev[:12]
	}
	return rev
}
