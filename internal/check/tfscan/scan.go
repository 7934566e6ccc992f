package tfscan

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"maps"
	"os"
	"path/filepath"
	"runtime"
	"sort"
	"sync"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"

	"ferry.dev/ferry/internal/check"
	"ferry.dev/ferry/internal/check/rules/aws"
	"ferry.dev/ferry/internal/check/rules/azure"
	"ferry.dev/ferry/internal/check/rules/tagging"
	"ferry.dev/ferry/internal/check/tfscan/tfmodel"
	"ferry.dev/ferry/internal/platform"
)

// Request is one Terraform scan: the files of a repository (or of one
// component) and the environment whose inputs apply.
type Request struct {
	// Root is the directory every path is relative to.
	Root string
	// Files are .tf files relative to Root, slash-separated, already
	// filtered by the pipeline (no symlinks leaving Root, size-capped).
	Files []string
	// Env names the environment; it is copied to every finding.
	Env string
	// VarFiles are the environment's .tfvars files relative to Root; each
	// applies to the root module in its directory or the nearest parent.
	VarFiles []string
	// Settings are ferry.yaml's check settings (required tags, regions,
	// naming pattern). Rule enable/disable and severity overrides are not
	// applied here: the pipeline applies them and lists what they silence.
	Settings platform.Checks
}

// Scan parses and evaluates the Terraform files of req and returns every
// finding of the Terraform rules, sorted by file and line. The error is
// non-nil only when the context ends or a file cannot be read.
func Scan(ctx context.Context, req Request) ([]check.Finding, error) {
	files, out, err := parseAll(ctx, req)
	if err != nil {
		return nil, err
	}
	out = append(out, evaluateAll(ctx, req, files)...)
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("scan terraform: %w", err)
	}
	out = dedupe(out)
	for i := range out {
		out[i].Env = req.Env
	}
	sortFindings(out)
	return out, nil
}

// EnvInputs names one environment and its tfvars files (relative to Root).
type EnvInputs struct {
	Name     string
	VarFiles []string
}

// ScanEnvs is Scan for several environments at once: it parses the files
// once and evaluates them once per environment. req.Env and req.VarFiles
// are ignored. Syntax and format findings (FERRY-TF-001/002, and oversized
// files) appear once, without an environment; every other finding carries
// the environment whose inputs produced it.
func ScanEnvs(ctx context.Context, req Request, envs []EnvInputs) ([]check.Finding, error) {
	files, out, err := parseAll(ctx, req)
	if err != nil {
		return nil, err
	}
	for _, env := range envs {
		r := req
		r.Env, r.VarFiles = env.Name, env.VarFiles
		fs := dedupe(evaluateAll(ctx, r, files))
		for i := range fs {
			fs[i].Env = env.Name
		}
		out = append(out, fs...)
	}
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("scan terraform: %w", err)
	}
	sortFindings(out)
	return out, nil
}

// parseAll reads and parses the files on every CPU; findings and parsed
// files keep the order of req.Files.
func parseAll(ctx context.Context, req Request) ([]*parsedFile, []check.Finding, error) {
	type result struct {
		body *hclsyntax.Body
		fs   []check.Finding
	}
	results := make([]result, len(req.Files))
	next := make(chan int)
	var wg sync.WaitGroup
	for range min(runtime.GOMAXPROCS(0), max(len(req.Files), 1)) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				rel := req.Files[i]
				src, err := os.ReadFile(filepath.Join(req.Root, filepath.FromSlash(rel)))
				if err != nil {
					// Unreadable files are reported, not fatal; the error
					// text is the OS's and holds no file content.
					results[i].fs = []check.Finding{fileFinding(ruleNotScanned, rel, hcl.Pos{Line: 1, Column: 1},
						"file cannot be read: "+readError(err))}
					continue
				}
				results[i].body, results[i].fs = parseFile(rel, src)
			}
		}()
	}
	for i := range req.Files {
		if ctx.Err() != nil {
			break
		}
		next <- i
	}
	close(next)
	wg.Wait()
	if err := ctx.Err(); err != nil {
		return nil, nil, fmt.Errorf("scan terraform: %w", err)
	}
	var files []*parsedFile
	var out []check.Finding
	for i, r := range results {
		out = append(out, r.fs...)
		if r.body != nil {
			files = append(files, &parsedFile{path: req.Files[i], body: r.body})
		}
	}
	return files, out, nil
}

// readError is the OS reason a file could not be read, without its path.
func readError(err error) string {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err.Error()
	}
	return "read error"
}

// evaluateAll evaluates every root module (a directory no other directory
// calls; then any directory not yet reached, e.g. in a call cycle) and runs
// the rules on each root's configuration.
func evaluateAll(ctx context.Context, req Request, files []*parsedFile) []check.Finding {
	mods := groupModules(files)
	roots := rootModules(mods)
	funcs := functions(req.Root)
	visited := map[string]bool{}
	var out []check.Finding
	run := func(dir string) {
		budget := maxIterations
		fns := maps.Clone(funcs)
		fns[guardFunc] = budgetFunc(&budget)
		ev := &evaluator{root: req.Root, rootDir: dir, mods: mods, funcs: fns, visited: visited}
		ev.evalModule(dir, "", ev.rootInputs(dir, varFilesFor(dir, roots, req.VarFiles)), nil, nil)
		out = append(out, ev.findings...)
		cfg := tfmodel.NewConfig(ev.res, ev.provs)
		for _, r := range tfRules() {
			out = append(out, r.Check(cfg, req.Settings)...)
		}
	}
	for _, d := range roots {
		if ctx.Err() != nil {
			return out
		}
		run(d)
	}
	for _, d := range sortedKeys(mods) {
		if !visited[d] && ctx.Err() == nil {
			run(d)
		}
	}
	return out
}

// tfRules are the Terraform rules in the order they run.
func tfRules() []tfmodel.Rule {
	var rs []tfmodel.Rule
	rs = append(rs, aws.Rules()...)
	rs = append(rs, azure.Rules()...)
	rs = append(rs, tagging.Rules()...)
	return rs
}

func sortedKeys[V any](m map[string]V) []string {
	ks := make([]string, 0, len(m))
	for k := range m {
		ks = append(ks, k)
	}
	sort.Strings(ks)
	return ks
}

// dedupe drops identical findings (a module reached twice the same way).
func dedupe(fs []check.Finding) []check.Finding {
	type key struct {
		rule, res, msg string
		loc            check.Location
	}
	seen := map[key]bool{}
	out := fs[:0]
	for _, f := range fs {
		k := key{f.RuleID, f.Resource, f.Message, f.Location}
		if !seen[k] {
			seen[k] = true
			out = append(out, f)
		}
	}
	return out
}

// Rules lists the metadata of every rule Scan can report.
func Rules() []check.Rule {
	out := []check.Rule{ruleSyntax, ruleFormat, ruleNotScanned}
	for _, r := range tfRules() {
		out = append(out, r.Rule)
	}
	return out
}

func sortFindings(fs []check.Finding) {
	sort.SliceStable(fs, func(i, j int) bool {
		a, b := fs[i].Location, fs[j].Location
		if a.File != b.File {
			return a.File < b.File
		}
		if a.Line != b.Line {
			return a.Line < b.Line
		}
		if a.Column != b.Column {
			return a.Column < b.Column
		}
		return fs[i].RuleID < fs[j].RuleID
	})
}
