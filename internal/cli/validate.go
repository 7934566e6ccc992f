package cli

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime/debug"
	"slices"
	"strings"
	"time"

	"github.com/spf13/cobra"
	"golang.org/x/term"

	"ferry.dev/ferry/internal/app"
	"ferry.dev/ferry/internal/check"
	"ferry.dev/ferry/internal/check/report"
	"ferry.dev/ferry/internal/check/scan"
	"ferry.dev/ferry/internal/git"
	"ferry.dev/ferry/internal/platform"
	"ferry.dev/ferry/internal/store"
)

type validateOptions struct {
	g       *Globals
	path    string
	env     string
	format  string
	output  string
	failOn  string
	commits string
	noStore bool
}

func newValidateCmd(g *Globals) *cobra.Command {
	o := &validateOptions{g: g}
	cmd := &cobra.Command{
		Use:   "validate [PATH]",
		Short: "Check Terraform, Kubernetes, policies and secrets; exit 1 when a finding reaches --fail-on",
		Long: `Run the check pipeline on PATH (default: --repo). With a ferry.yaml it checks
the whole platform and, per environment, the environment's tfvars and the
rendered kustomize overlays, Helm charts (with each
environment's values) and per-environment manifests; without one it scans PATH's .tf and YAML files.
In a platform repository the run is recorded in the store, for the
promotion gates to cite (the revision is git HEAD, marked -dirty when the
working tree has uncommitted changes).`,
		Example: "  ferry validate\n  ferry validate --env production --format sarif --output ferry.sarif\n  ferry validate ./manifests --fail-on medium",
		Args:    maxArgs(1),
		RunE: func(c *cobra.Command, args []string) error {
			if len(args) == 1 {
				o.path = args[0]
			}
			if err := o.validate(c); err != nil {
				return err
			}
			return o.run(c.Context())
		},
	}
	o.addFlags(cmd)
	return cmd
}

func (o *validateOptions) addFlags(cmd *cobra.Command) {
	f := cmd.Flags()
	f.StringVar(&o.env, "env", "", "check only this environment's inputs and overlays")
	f.StringVar(&o.format, "format", "", "report format: text, json, sarif or junit (default text, or json with -o json)")
	// --output FILE (the contract) shadows the global --output;
	// keep the global -o text|json working through a hidden alias.
	f.StringVar(&o.output, "output", "", "write the report to FILE (atomically) instead of stdout")
	f.StringVarP(&o.g.Output, "output-format", "o", "text", "output format: text or json (same as the global -o)")
	_ = f.MarkHidden("output-format")
	f.StringVar(&o.failOn, "fail-on", "", "lowest severity that fails the run: low, medium, high or critical (default from ferry.yaml, else high)")
	f.StringVar(&o.commits, "commits", "", "also check that the commits of this range (e.g. develop..HEAD) are Conventional Commits")
	f.BoolVar(&o.noStore, "no-record", false, "do not record the check run in the store")
}

func (o *validateOptions) validate(c *cobra.Command) error {
	if o.format == "" {
		o.format = report.FormatText
		if o.g.JSON() {
			o.format = report.FormatJSON
		}
	}
	if !slices.Contains(report.Formats, o.format) {
		return usageErr("ferry validate --format sarif", "unknown --format %q: want %s", o.format, strings.Join(report.Formats, ", "))
	}
	if o.failOn != "" {
		if _, err := check.ParseSeverity(o.failOn); err != nil {
			return usageErr("ferry validate --fail-on high", "--fail-on: %v", err)
		}
	}
	if o.path == "" {
		o.path = o.g.Repo
	}
	if st, err := os.Stat(o.path); err != nil || !st.IsDir() {
		return usageErr("ferry validate DIR", "validate: %s is not a directory", o.path)
	}
	return nil
}

func (o *validateOptions) run(ctx context.Context) error {
	root, err := filepath.Abs(o.path)
	if err != nil {
		return fmt.Errorf("validate: %w", err)
	}
	plat, err := loadPlatformIfAny(root)
	if err != nil {
		return err
	}
	rev := revisionOf(ctx, root)
	if os.Getenv("GOGC") == "" {
		// One short-lived pass over many small documents: trading memory
		// (a few hundred MB on a large repository) for less GC halves the CPU.
		debug.SetGCPercent(400)
	}
	started := time.Now()
	o.g.Progress("checking %s", o.path)
	res, err := scan.Run(ctx, scan.Options{Root: root, Env: o.env, Platform: plat, Commits: o.commits, Branch: rev.branch})
	if err != nil {
		return err
	}
	failOn := res.FailOn
	if o.failOn != "" {
		failOn = check.Severity(o.failOn)
	}
	rep, err := o.report(res, failOn)
	if err != nil {
		return err
	}
	if err := o.write(rep); err != nil {
		return err
	}
	if plat != nil && !o.noStore && rev.id != "" {
		if err := o.record(ctx, plat, res.CheckRun(rev.id, o.env, failOn, started)); err != nil {
			return err
		}
	}
	if !rep.Passed() {
		return errSilentProblem
	}
	return nil
}

// loadPlatformIfAny loads ferry.yaml when there is one. A model with
// problems is not an error here: the pipeline reports each problem as a
// finding.
func loadPlatformIfAny(root string) (*platform.Platform, error) {
	if _, err := os.Stat(filepath.Join(root, platform.FileName)); err != nil {
		return nil, nil
	}
	p, err := platform.Load(root)
	var ce *platform.ConfigError
	if errors.As(err, &ce) {
		return nil, nil
	}
	return p, err
}

type revision struct{ id, branch string }

// revisionOf names what was checked: HEAD, with -dirty when the working
// tree differs from it (such a run is no evidence for HEAD itself).
func revisionOf(ctx context.Context, root string) revision {
	repo, err := git.Open(root)
	if err != nil {
		return revision{}
	}
	head, err := repo.Run(ctx, "rev-parse", "--verify", "HEAD")
	if err != nil {
		return revision{}
	}
	r := revision{id: strings.TrimSpace(head)}
	if b, err := repo.Run(ctx, "symbolic-ref", "--quiet", "--short", "HEAD"); err == nil {
		r.branch = strings.TrimSpace(b)
	}
	if st, err := repo.Run(ctx, "status", "--porcelain", "--untracked-files=normal", "--", ".", ":!.ferry"); err != nil || strings.TrimSpace(st) != "" {
		r.id += "-dirty"
	}
	return r
}

func (o *validateOptions) report(res *scan.Result, failOn check.Severity) (*report.Report, error) {
	reg, err := scan.Registry()
	if err != nil {
		return nil, err
	}
	return &report.Report{Tool: "ferry", Version: Version, Findings: res.Findings, Rules: reg.Rules(),
		FailOn: failOn, Files: res.Files, Documents: res.Documents, Envs: res.Envs, Policies: res.Policies}, nil
}

func (o *validateOptions) write(rep *report.Report) error {
	var buf bytes.Buffer
	color := o.output == "" && o.format == report.FormatText && isTerminal(o.g.Out) && os.Getenv("NO_COLOR") == ""
	if err := report.Write(&buf, o.format, rep, report.Options{Color: color}); err != nil {
		return err
	}
	if o.output == "" {
		_, err := o.g.Out.Write(buf.Bytes())
		return err
	}
	if err := writeFileAtomic(o.output, buf.Bytes()); err != nil {
		return fmt.Errorf("validate: write %s: %w", o.output, err)
	}
	o.g.Progress("wrote %s report to %s (%d failing at or above %s)", o.format, o.output, rep.Failing(), rep.FailOn)
	return nil
}

func (o *validateOptions) record(ctx context.Context, p *platform.Platform, run store.CheckRun) error {
	ap, err := app.New(ctx, p, app.Options{Log: progressLog(o.g)})
	if err != nil {
		return fmt.Errorf("validate: record check run: %w", err)
	}
	defer ap.Close()
	id, err := ap.RecordCheckRun(ctx, run)
	if err != nil {
		return fmt.Errorf("validate: record check run: %w", err)
	}
	verdict := "passed"
	if !run.Passed {
		verdict = "failed"
	}
	rev := short(strings.TrimSuffix(run.Revision, "-dirty"))
	if strings.HasSuffix(run.Revision, "-dirty") {
		rev += "-dirty"
	}
	o.g.Progress("recorded check run %d (%s) for %s", id, verdict, rev)
	return nil
}

func isTerminal(w any) bool {
	f, ok := w.(*os.File)
	return ok && term.IsTerminal(int(f.Fd()))
}

// writeFileAtomic writes data to a temporary file next to path, syncs it
// and renames it over path, so readers never see a partial report.
func writeFileAtomic(path string, data []byte) error {
	dir := filepath.Dir(path)
	tmp, err := os.CreateTemp(dir, "."+filepath.Base(path)+".tmp*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	if _, err := tmp.Write(data); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	if err := os.Chmod(tmp.Name(), 0o644); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), path)
}
