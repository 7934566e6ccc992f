package git

import (
	"context"
	"fmt"
	"strings"
)

// MakeTag writes an annotated tag object for commit and returns its ID
// without creating the ref, so the ref can join an atomic update.
func (r *Repo) MakeTag(ctx context.Context, name, commit, msg string) (string, error) {
	if err := ValidateTagName(name); err != nil {
		return "", err
	}
	ident, err := r.Run(ctx, "var", "GIT_COMMITTER_IDENT")
	if err != nil {
		return "", fmt.Errorf("read committer identity: %w", err)
	}
	obj := fmt.Sprintf("object %s\ntype commit\ntag %s\ntagger %s\n\n%s", commit, name, strings.TrimSpace(ident), msg)
	if !strings.HasSuffix(obj, "\n") {
		obj += "\n"
	}
	out, err := r.RunStdin(ctx, []byte(obj), "mktag")
	if err != nil {
		return "", fmt.Errorf("make tag %s: %w", name, err)
	}
	return strings.TrimSpace(out), nil
}

// Tags lists tag names matching a glob (e.g. "v[0-9]*").
func (r *Repo) Tags(ctx context.Context, pattern string) ([]string, error) {
	out, err := r.Run(ctx, "for-each-ref", "--format=%(refname:strip=2)", "refs/tags/"+pattern)
	if err != nil {
		return nil, fmt.Errorf("list tags: %w", err)
	}
	return strings.Fields(out), nil
}

// TagMessage returns an annotated tag's message.
func (r *Repo) TagMessage(ctx context.Context, name string) (string, error) {
	out, err := r.Run(ctx, "for-each-ref", "--format=%(contents)", "refs/tags/"+name)
	if err != nil {
		return "", fmt.Errorf("read tag %s: %w", name, err)
	}
	return out, nil
}

// Describe returns the nearest tag matching match (and not exclude, if set)
// reachable from rev, or "" if none. It stops at the first tag found, so its
// cost depends on the distance to that tag, not on the length of history.
func (r *Repo) Describe(ctx context.Context, rev, match, exclude string) (string, error) {
	args := []string{"describe", "--tags", "--abbrev=0", "--candidates=1", "--match", match}
	if exclude != "" {
		args = append(args, "--exclude", exclude)
	}
	args = append(args, rev)
	out, err := r.Run(ctx, args...)
	if err != nil {
		var ce *CommandError
		if asCommandError(err, &ce) && (strings.Contains(ce.Stderr, "No names found") || strings.Contains(ce.Stderr, "No tags can describe") || strings.Contains(ce.Stderr, "cannot describe")) {
			return "", nil
		}
		return "", fmt.Errorf("describe %s: %w", short(rev), err)
	}
	return strings.TrimSpace(out), nil
}
