package scaffold

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"

	"ferry.dev/ferry/internal/git"
	"ferry.dev/ferry/internal/platform"
)

// FirstVersion is the version InitRepo tags the first commit with.
const FirstVersion = "0.1.0"

// InitialBranch is the branch of the first commit when the platform has a
// main lane; otherwise the first lane is used.
const InitialBranch = "main"

// Repo describes the repository InitRepo made.
type Repo struct {
	Dir    string   `json:"path"`
	Commit string   `json:"commit"`
	Branch string   `json:"branch"` // checked-out branch holding the first commit
	Lanes  []string `json:"lanes"`  // every lane, in promotion order, at Commit
	Tag    string   `json:"tag"`    // annotated tag on Commit
}

// InitRepo makes dir (holding a platform written by Write) a Git repository:
// it loads dir's ferry.yaml, commits the whole tree on the main lane (author
// from the user's git config, else "ferry <ferry@localhost>"), creates every
// other lane at that commit and tags it with an annotated "<prefix>0.1.0",
// all refs in one transaction. It works offline and never touches a remote.
func InitRepo(ctx context.Context, dir string) (*Repo, error) {
	abs, err := filepath.Abs(dir)
	if err != nil {
		return nil, fmt.Errorf("init repository %s: %w", dir, err)
	}
	if _, err := os.Lstat(filepath.Join(abs, ".git")); err == nil {
		return nil, &AlreadyRepoError{Dir: abs}
	} else if !errors.Is(err, os.ErrNotExist) {
		return nil, fmt.Errorf("init repository %s: %w", abs, err)
	}
	p, err := platform.Load(abs)
	if err != nil {
		return nil, fmt.Errorf("init repository %s: %w", abs, err)
	}
	lanes := p.LaneNames()
	branch := InitialBranch
	if !slices.Contains(lanes, branch) {
		branch = lanes[0]
	}
	r, err := git.Init(ctx, abs, branch)
	if err != nil {
		return nil, err
	}
	commit, err := firstCommit(ctx, r, branch)
	if err != nil {
		return nil, fmt.Errorf("init repository %s: %w", abs, err)
	}
	tag := p.Spec.Versioning.TagPrefix + FirstVersion
	if err := createRefs(ctx, r, commit, branch, lanes, tag); err != nil {
		return nil, fmt.Errorf("init repository %s: %w", abs, err)
	}
	return &Repo{Dir: r.Dir, Commit: commit, Branch: branch, Lanes: lanes, Tag: tag}, nil
}

func firstCommit(ctx context.Context, r *git.Repo, branch string) (string, error) {
	if _, err := r.Run(ctx, "add", "--all"); err != nil {
		return "", fmt.Errorf("stage files: %w", err)
	}
	msg := "feat: reference platform scaffolded by ferry init\n\n" +
		"Lanes, environments, Terraform stacks, Kubernetes apps, policies and\n" +
		"the Backstage catalog of the ferry reference platform.\n"
	if _, err := r.Run(ctx, "commit", "--quiet", "-m", msg); err != nil {
		return "", fmt.Errorf("commit files: %w", err)
	}
	return r.BranchHead(ctx, branch)
}

// createRefs creates the other lanes and the tag atomically: all or none.
func createRefs(ctx context.Context, r *git.Repo, commit, branch string, lanes []string, tag string) error {
	var updates []git.RefUpdate
	for _, lane := range lanes {
		if lane == branch {
			continue
		}
		if err := git.ValidateBranchName(lane); err != nil {
			return fmt.Errorf("create lane %s: %w", lane, err)
		}
		updates = append(updates, git.RefUpdate{Ref: "refs/heads/" + lane, New: commit})
	}
	obj, err := r.MakeTag(ctx, tag, commit, "Release "+tag+"\n\nThe reference platform as written by ferry init.\n")
	if err != nil {
		return fmt.Errorf("tag %s: %w", tag, err)
	}
	updates = append(updates, git.RefUpdate{Ref: "refs/tags/" + tag, New: obj})
	if err := r.UpdateRefs(ctx, updates, "ferry init"); err != nil {
		return fmt.Errorf("create lanes and tag: %w", err)
	}
	return nil
}

// Init writes the reference platform into dir and makes it a repository:
// Write then InitRepo, but it refuses a dir that already is a Git repository
// before writing anything, so --force never overwrites files in one.
func Init(ctx context.Context, dir string, force bool) (*Repo, error) {
	abs, err := filepath.Abs(dir)
	if err != nil {
		return nil, fmt.Errorf("init platform %s: %w", dir, err)
	}
	if _, err := os.Lstat(filepath.Join(abs, ".git")); err == nil {
		return nil, &AlreadyRepoError{Dir: abs}
	}
	if err := Write(abs, force); err != nil {
		return nil, err
	}
	return InitRepo(ctx, abs)
}
