package catalog

import (
	"context"
	"errors"

	"ferry.dev/ferry/internal/git"
	"ferry.dev/ferry/internal/platform"
)

// Build is Entities with the options read from the repository at root
// (the platform's Dir when ""): the web address of ferry.yaml's remote, if
// it has one on a host. A root that is not a Git repository has none.
func Build(ctx context.Context, p *platform.Platform, root string) ([]Entity, error) {
	if root == "" {
		root = p.Dir
	}
	opts := Options{Root: root}
	r, err := git.Open(root)
	switch {
	case errors.Is(err, git.ErrNotRepo):
	case err != nil:
		return nil, err
	default:
		web, ok, err := r.RemoteWebURL(ctx, p.Spec.Remote)
		if err != nil {
			return nil, err
		}
		if ok {
			opts.RepoURL = web
		}
	}
	return Entities(p, opts)
}
