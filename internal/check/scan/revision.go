package scan

import (
	"context"
	"fmt"
	"strings"
	"time"

	"ferry.dev/ferry/internal/check"
	"ferry.dev/ferry/internal/git"
	"ferry.dev/ferry/internal/platform"
	"ferry.dev/ferry/internal/store"
)

// Failing returns the unsuppressed findings at or above failOn.
func (r *Result) Failing(failOn check.Severity) []check.Finding {
	var out []check.Finding
	for _, f := range r.Findings {
		if f.Suppressed == nil && check.AtLeast(f.Severity, failOn) {
			out = append(out, f)
		}
	}
	return out
}

// Counts tallies unsuppressed findings by severity, and suppressed ones
// under "suppressed".
func (r *Result) Counts() map[string]int {
	c := map[string]int{}
	for _, f := range r.Findings {
		if f.Suppressed != nil {
			c["suppressed"]++
			continue
		}
		c[string(f.Severity)]++
	}
	return c
}

// CheckRun turns a result into the record promotions cite. failOn "" uses
// the threshold from ferry.yaml (default high).
func (r *Result) CheckRun(rev, env string, failOn check.Severity, started time.Time) store.CheckRun {
	if failOn == "" {
		failOn = r.FailOn
	}
	failing := r.Failing(failOn)
	return store.CheckRun{Revision: rev, Env: env, Passed: len(failing) == 0, Counts: r.Counts(),
		Summary: summarize(r, failing, failOn), StartedAt: started.UTC(), EndedAt: started.Add(r.Duration).UTC(),
		Findings: storedFindings(r.Findings), FindingsTotal: len(r.Findings)}
}

func summarize(r *Result, failing []check.Finding, failOn check.Severity) string {
	c := r.Counts()
	var parts []string
	for _, s := range []platform.Severity{platform.SeverityCritical, platform.SeverityHigh, platform.SeverityMedium, platform.SeverityLow} {
		if c[string(s)] > 0 {
			parts = append(parts, fmt.Sprintf("%d %s", c[string(s)], s))
		}
	}
	head := fmt.Sprintf("%d files, %d documents: ", r.Files, r.Documents)
	if len(parts) == 0 {
		head += "no findings"
	} else {
		head += strings.Join(parts, ", ")
	}
	if c["suppressed"] > 0 {
		head += fmt.Sprintf(" (%d suppressed)", c["suppressed"])
	}
	if len(failing) == 0 {
		return head + "; passed at fail-on " + string(failOn)
	}
	var first []string
	for _, f := range failing[:min(3, len(failing))] {
		first = append(first, fmt.Sprintf("%s %s:%d", f.RuleID, f.Location.File, f.Location.Line))
	}
	return fmt.Sprintf("%s; %d at or above %s: %s", head, len(failing), failOn, strings.Join(first, ", "))
}

// CheckRevision checks rev of the repository at repoDir: it checks the
// revision out in a temporary worktree (the user's checkout is untouched),
// runs the pipeline there with opts (Root is set to the worktree) and
// returns the check run, not yet recorded (ID 0), and the result.
func CheckRevision(ctx context.Context, repoDir, rev string, failOn check.Severity, opts Options) (store.CheckRun, *Result, error) {
	repo, err := git.Open(repoDir)
	if err != nil {
		return store.CheckRun{}, nil, fmt.Errorf("check revision %s: %w", rev, err)
	}
	var run store.CheckRun
	var res *Result
	err = repo.WithWorktree(ctx, rev, func(w *git.Worktree) error {
		head, err := w.Head(ctx)
		if err != nil {
			return err
		}
		started := time.Now()
		opts.Root, opts.Platform = w.Dir, nil
		res, err = Run(ctx, opts)
		if err != nil {
			return err
		}
		run = res.CheckRun(head, opts.Env, failOn, started)
		return nil
	})
	if err != nil {
		return store.CheckRun{}, nil, fmt.Errorf("check revision %s: %w", rev, err)
	}
	return run, res, nil
}

// Checker runs the pipeline for the flow engine's checks gate (it
// implements flow.Checker). FailOn "" uses ferry.yaml's threshold.
type Checker struct {
	FailOn check.Severity
}

// Check checks rev of the repository at dir; the run is not recorded.
func (c Checker) Check(ctx context.Context, dir, rev string) (store.CheckRun, error) {
	run, _, err := CheckRevision(ctx, dir, rev, c.FailOn, Options{})
	return run, err
}

// CheckWith checks rev by checks instead of its own spec.checks (the
// target lane's, for a change that relaxes them); FailOn still wins.
func (c Checker) CheckWith(ctx context.Context, dir, rev string, checks platform.Checks) (store.CheckRun, error) {
	run, _, err := CheckRevision(ctx, dir, rev, c.FailOn, Options{Checks: &checks})
	return run, err
}
