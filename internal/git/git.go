package git

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
)

// Default identity used when the user has configured none.
const (
	DefaultName  = "ferry"
	DefaultEmail = "ferry@localhost"
)

// Repo is a Git repository driven through the git CLI.
type Repo struct {
	// Dir is the working tree root (or the git dir of a bare repository).
	Dir string
	// GitDir is the absolute path of the repository's common git directory.
	GitDir string
	// Bare is true for a repository without a working tree.
	Bare bool
	// Env is added to every git invocation (e.g. GIT_AUTHOR_DATE in tests).
	Env []string

	ident []string // -c user.name/-c user.email when none is configured
}

// Open opens the repository containing dir.
func Open(dir string) (*Repo, error) {
	abs, err := filepath.Abs(dir)
	if err != nil {
		return nil, fmt.Errorf("open repository %s: %w", dir, err)
	}
	if _, err := os.Stat(abs); err != nil {
		return nil, fmt.Errorf("open repository %s: %w", dir, err)
	}
	r := &Repo{Dir: abs}
	ctx := context.Background()
	// --show-toplevel fails in a bare repository (the agent's mirror),
	// so one that looks bare is asked without it: one git process, not two.
	args := []string{"rev-parse", "--is-bare-repository", "--git-common-dir", "--show-toplevel"}
	if looksBare(abs) {
		args = args[:3]
	}
	out, err := r.Run(ctx, args...)
	if err == nil && len(args) == 3 && strings.HasPrefix(out, "false") {
		out, err = r.Run(ctx, "rev-parse", "--is-bare-repository", "--git-common-dir", "--show-toplevel")
	}
	if err != nil {
		var ce *CommandError
		if errors.As(err, &ce) && strings.Contains(ce.Stderr, "not a git repository") {
			return nil, fmt.Errorf("open repository %s: %w", abs, ErrNotRepo)
		}
		// --show-toplevel fails in a bare repository; retry without it.
		out, err = r.Run(ctx, "rev-parse", "--is-bare-repository", "--git-common-dir")
		if err != nil {
			return nil, fmt.Errorf("open repository %s: %w", abs, err)
		}
	}
	lines := strings.Split(strings.TrimSpace(out), "\n")
	r.Bare = lines[0] == "true"
	if len(lines) > 2 && !r.Bare {
		r.Dir = lines[2]
	}
	gd := lines[1]
	if !filepath.IsAbs(gd) {
		gd = filepath.Join(abs, gd)
	}
	r.GitDir = filepath.Clean(gd)
	r.ident = r.identityArgs(ctx)
	return r, nil
}

// Init creates a new repository in dir with the given initial branch and
// opens it.
func Init(ctx context.Context, dir, branch string) (*Repo, error) {
	if err := ValidateBranchName(branch); err != nil {
		return nil, fmt.Errorf("init repository: %w", err)
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("init repository: %w", err)
	}
	tmp := &Repo{Dir: dir}
	if _, err := tmp.Run(ctx, "init", "--quiet", "--initial-branch="+branch); err != nil {
		return nil, fmt.Errorf("init repository: %w", err)
	}
	return Open(dir)
}

// identityArgs returns -c user.name/user.email for whichever of the two the
// user has not configured, so ferry can commit without writing their config.
// GIT_AUTHOR_*/GIT_COMMITTER_* in the environment still take precedence.
func (r *Repo) identityArgs(ctx context.Context) []string {
	// One git process for both (exit 1, no output, when neither is set).
	out, _ := r.Run(ctx, "config", "--get-regexp", `^user\.(name|email)$`)
	set := map[string]bool{}
	for _, line := range strings.Split(out, "\n") {
		if k, v, ok := strings.Cut(line, " "); ok && strings.TrimSpace(v) != "" {
			set[k] = true
		}
	}
	var args []string
	if !set["user.name"] {
		args = append(args, "-c", "user.name="+DefaultName)
	}
	if !set["user.email"] {
		args = append(args, "-c", "user.email="+DefaultEmail)
	}
	return args
}

// looksBare: dir itself holds a repository's HEAD, objects and refs (a bare
// repository; a work tree has them under .git).
func looksBare(dir string) bool {
	for _, name := range []string{"HEAD", "objects", "refs"} {
		if _, err := os.Stat(filepath.Join(dir, name)); err != nil {
			return false
		}
	}
	return true
}

// ConfiguredIdentity returns user.name and user.email as the user's Git
// configuration sets them ("" when unset; ferry's default identity does not
// count).
func (r *Repo) ConfiguredIdentity(ctx context.Context) (name, email string) {
	bare := *r
	bare.ident = nil
	n, _ := bare.Run(ctx, "config", "--get", "user.name")
	m, _ := bare.Run(ctx, "config", "--get", "user.email")
	return strings.TrimSpace(n), strings.TrimSpace(m)
}

// Actor names who is acting, for every audit record ferry writes (lane
// moves, deployments, approvals) by one rule: $FERRY_ACTOR when set; else
// the user's configured Git email, else name (ferry's default commit
// identity does not count); else Git's committer identity as the
// environment sets it (GIT_COMMITTER_*); else $USER. known is false when
// none of these names anyone: then the actor is "unknown", which may record
// an automated change but never an approval.
func (r *Repo) Actor(ctx context.Context) (actor string, known bool) {
	if a := strings.TrimSpace(os.Getenv("FERRY_ACTOR")); a != "" {
		return a, true
	}
	name, email := r.ConfiguredIdentity(ctx)
	for _, v := range []string{email, name, committerIdent(), os.Getenv("USER")} {
		if v = strings.TrimSpace(v); v != "" {
			return v, true
		}
	}
	return "unknown", false
}

// committerIdent is "Name <email>" from GIT_COMMITTER_NAME/EMAIL, "" when
// the environment sets neither.
func committerIdent() string {
	name, email := strings.TrimSpace(os.Getenv("GIT_COMMITTER_NAME")), strings.TrimSpace(os.Getenv("GIT_COMMITTER_EMAIL"))
	switch {
	case name != "" && email != "":
		return name + " <" + email + ">"
	case email != "":
		return email
	}
	return name
}

// Run executes git with args in the repository and returns its stdout.
// Arguments go straight to exec (no shell). Callers put user-supplied values
// after --end-of-options or --, or validate them first.
func (r *Repo) Run(ctx context.Context, args ...string) (string, error) {
	return r.RunIn(ctx, r.Dir, nil, args...)
}

// RunStdin is Run with stdin.
func (r *Repo) RunStdin(ctx context.Context, stdin []byte, args ...string) (string, error) {
	return r.RunIn(ctx, r.Dir, stdin, args...)
}

// RunIn executes git in dir (e.g. a temporary worktree) with optional stdin.
func (r *Repo) RunIn(ctx context.Context, dir string, stdin []byte, args ...string) (string, error) {
	return r.runEnv(ctx, dir, stdin, nil, args...)
}

// runEnv is RunIn with extra environment variables (e.g. GIT_INDEX_FILE).
func (r *Repo) runEnv(ctx context.Context, dir string, stdin []byte, env []string, args ...string) (string, error) {
	full := make([]string, 0, len(args)+8)
	full = append(full, "-C", dir, "-c", "core.quotepath=off", "-c", "advice.detachedHead=false")
	full = append(full, r.ident...)
	full = append(full, args...)
	cmd := exec.CommandContext(ctx, "git", full...)
	cmd.Env = append(os.Environ(), "GIT_TERMINAL_PROMPT=0", "LC_ALL=C", "GIT_EDITOR=true", "GIT_MERGE_AUTOEDIT=no")
	cmd.Env = append(cmd.Env, r.Env...)
	cmd.Env = append(cmd.Env, env...)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if stdin != nil {
		cmd.Stdin = bytes.NewReader(stdin)
	}
	err := cmd.Run()
	if err != nil {
		if ctx.Err() != nil {
			return stdout.String(), fmt.Errorf("git %s: %w", first(args), ctx.Err())
		}
		ce := &CommandError{Args: args, ExitCode: -1, Stderr: stderr.String()}
		var ee *exec.ExitError
		if errors.As(err, &ee) {
			ce.ExitCode = ee.ExitCode()
		} else {
			ce.Stderr = err.Error()
		}
		return stdout.String(), ce
	}
	return stdout.String(), nil
}

func first(args []string) string {
	if len(args) == 0 {
		return ""
	}
	return args[0]
}

// exitCode returns the git exit code of err, or -1.
func exitCode(err error) int {
	var ce *CommandError
	if errors.As(err, &ce) {
		return ce.ExitCode
	}
	return -1
}
