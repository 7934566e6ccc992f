package scan

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"time"

	"ferry.dev/ferry/internal/check"
	"ferry.dev/ferry/internal/check/yamlscan"
	"ferry.dev/ferry/internal/platform"
)

// Options say what to check.
type Options struct {
	// Root is the directory to check (a platform repository or any tree).
	Root string
	// Env limits environment-aware checks (tfvars, rendered overlays) to
	// one environment; empty means every environment.
	Env string
	// Platform is the loaded model; when nil, Run loads Root/ferry.yaml if
	// there is one and otherwise scans Root as a plain tree.
	Platform *platform.Platform
	// Commits is a revision range whose messages must be Conventional
	// Commits (e.g. "develop..feature/x"); empty skips the check.
	Commits string
	// Branch is checked against the topic naming; empty skips the check.
	Branch string
	// Workers bounds parallelism (default GOMAXPROCS).
	Workers int
	// Checks, when set, replaces the platform's spec.checks: the checks
	// gate judges a change by the target lane's settings, not its own.
	Checks *platform.Checks
}

// Result is one pipeline run.
type Result struct {
	Findings  []check.Finding `json:"findings"` // sorted; suppressed ones included, marked
	Files     int             `json:"files"`
	Documents int             `json:"documents"`
	Envs      []string        `json:"envs,omitempty"`
	Policies  []string        `json:"policies,omitempty"`
	Platform  bool            `json:"platform"` // a ferry.yaml drove the run
	FailOn    check.Severity  `json:"failOn"`   // the threshold from ferry.yaml (default high)
	Duration  time.Duration   `json:"duration"`
}

// ErrNoRoot is returned when the directory to check does not exist.
var ErrNoRoot = errors.New("no such directory")

// Run executes the whole pipeline.
func Run(ctx context.Context, opts Options) (*Result, error) {
	start := time.Now()
	reg, err := Registry()
	if err != nil {
		return nil, fmt.Errorf("check: %w", err)
	}
	root, err := filepath.Abs(opts.Root)
	if err != nil {
		return nil, fmt.Errorf("check %s: %w", opts.Root, err)
	}
	if st, err := os.Stat(root); err != nil || !st.IsDir() {
		return nil, fmt.Errorf("check %s: %w", opts.Root, ErrNoRoot)
	}
	if opts.Workers <= 0 {
		opts.Workers = runtime.GOMAXPROCS(0)
	}
	r := &run{opts: opts, root: root, reg: reg}
	if err := r.loadPlatform(); err != nil {
		return nil, err
	}
	if err := r.execute(ctx); err != nil {
		return nil, err
	}
	return r.result(start), nil
}

// run is the state of one pipeline run.
type run struct {
	opts     Options
	root     string
	reg      *check.Registry
	plat     *platform.Platform
	settings platform.Checks
	envs     []string

	files    []file
	tfFiles  []string
	rawDocs  []*yamlscan.Document
	patches  map[string]bool
	dirs     []check.Directive
	findings []check.Finding
	docs     int
	policies []string
	helmDocs map[*yamlscan.Document]helmSource // rendered Helm objects' sources
}

func (r *run) loadPlatform() error {
	r.plat = r.opts.Platform
	if r.plat == nil {
		if _, err := os.Stat(filepath.Join(r.root, platform.FileName)); err != nil {
			if r.opts.Env != "" {
				return &UnknownEnvError{Env: r.opts.Env, NoPlatform: true}
			}
			return nil // plain scanner
		}
		p, err := platform.Load(r.root)
		var ce *platform.ConfigError
		switch {
		case errors.As(err, &ce):
			for _, pr := range ce.Problems {
				r.findings = append(r.findings, check.Finding{RuleID: check.RuleConfig, Severity: platform.SeverityHigh,
					Message:  pr.Error(),
					Location: check.Location{File: platform.FileName, Line: pr.Line, Column: pr.Column}})
			}
			return nil
		case err != nil:
			return fmt.Errorf("check %s: %w", r.root, err)
		}
		r.plat = p
	}
	r.settings = r.plat.Spec.Checks
	if r.opts.Checks != nil {
		r.settings = *r.opts.Checks
	}
	for _, e := range r.plat.Spec.Environments {
		if r.opts.Env == "" || e.Name == r.opts.Env {
			r.envs = append(r.envs, e.Name)
		}
	}
	if r.opts.Env != "" && len(r.envs) == 0 {
		return &UnknownEnvError{Env: r.opts.Env}
	}
	return nil
}

// UnknownEnvError: --env names no environment of ferry.yaml, or there is
// no ferry.yaml at all (exit 2).
type UnknownEnvError struct {
	Env        string
	NoPlatform bool
}

func (e *UnknownEnvError) Error() string {
	if e.NoPlatform {
		return fmt.Sprintf("check: environment %q given, but there is no %s to define it", e.Env, platform.FileName)
	}
	return fmt.Sprintf("check: environment %q is not defined in %s", e.Env, platform.FileName)
}

// ConfigError marks this as a usage/configuration error.
func (e *UnknownEnvError) ConfigError() bool { return true }

func (r *run) execute(ctx context.Context) error {
	rels, walkFindings, err := walk(r.root, r.settings.Exclude)
	if err != nil {
		return fmt.Errorf("check: %w", err)
	}
	r.findings = append(r.findings, walkFindings...)
	r.loadFiles(ctx, rels)
	tf := r.startTerraform(ctx)
	r.checkDocuments(ctx)
	r.checkGitflow(ctx)
	tfFindings, err := tf()
	if err != nil {
		return err
	}
	r.findings = append(r.findings, tfFindings...)
	return ctx.Err()
}

func (r *run) result(start time.Time) *Result {
	sup := check.NewSuppressor(r.dirs, func(id string) bool { _, ok := r.reg.Lookup(id); return ok })
	fs := dedupe(r.findings)
	sup.Apply(fs)
	fs = append(fs, sup.Unknown()...)
	fs = append(fs, check.ApplySettings(fs, r.settings.Rules, r.reg, platform.FileName)...)
	sortFindings(fs)
	failOn := r.settings.FailOn
	if failOn == "" {
		failOn = platform.SeverityHigh
	}
	return &Result{Findings: fs, Files: len(r.files), Documents: r.docs, Envs: r.envs,
		Policies: r.policies, Platform: r.plat != nil, FailOn: failOn, Duration: time.Since(start)}
}
