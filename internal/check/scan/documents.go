package scan

import (
	"context"
	"fmt"

	"github.com/open-policy-agent/opa/v1/ast"

	"ferry.dev/ferry/internal/check"
	"ferry.dev/ferry/internal/check/rules/gitflow"
	"ferry.dev/ferry/internal/check/rules/kubernetes"
	"ferry.dev/ferry/internal/check/schema"
	"ferry.dev/ferry/internal/check/yamlscan"
	"ferry.dev/ferry/internal/git"
	"ferry.dev/ferry/internal/platform"
	"ferry.dev/ferry/internal/policy"
)

// checkDocuments renders the environments' overlays, then runs schemas,
// Kubernetes rules and policies on every object document in parallel.
func (r *run) checkDocuments(ctx context.Context) {
	objects := r.objectDocuments(ctx)
	v := schema.New()
	for _, d := range r.rawDocs {
		if err := v.AddCRD(d); err != nil {
			r.findings = append(r.findings, check.Finding{RuleID: schema.RuleWrongType, Severity: platform.SeverityHigh,
				Message: err.Error(), Location: d.Location()})
		}
	}
	eng := r.loadPolicies(ctx)
	results := make([][]check.Finding, len(objects))
	parallel(ctx, len(objects), r.opts.Workers, func(i int) {
		d := objects[i]
		fs := append(v.Validate(d), kubernetes.Check(d)...)
		results[i] = append(fs, evalPolicies(ctx, eng, d)...)
		r.annotateValues(d, results[i])
	})
	for _, fs := range results {
		r.findings = append(r.findings, fs...)
	}
	r.findings = append(r.findings, r.terraformPolicies(ctx, eng)...)
}

// objectDocuments are the documents checked as objects: the rendered
// output of every overlay, plus raw documents that no overlay rendered and
// that are not kustomize patches.
func (r *run) objectDocuments(ctx context.Context) []*yamlscan.Document {
	var rendered []*yamlscan.Document
	if r.plat != nil {
		jobs := renderJobs(r.plat, r.opts.Env)
		if len(jobs) > 0 {
			fsys, err := memFS(r.files)
			if err != nil {
				r.findings = append(r.findings, check.Finding{RuleID: check.RuleRender, Severity: platform.SeverityHigh,
					Message: err.Error(), Location: check.Location{File: platform.FileName}})
				jobs = nil
			}
			idx := newOriginIndex(r.rawDocs, r.patches)
			out := make([][]*yamlscan.Document, len(jobs))
			fails := make([]*check.Finding, len(jobs))
			parallel(ctx, len(jobs), r.opts.Workers, func(i int) {
				out[i], fails[i] = render(fsys, jobs[i], idx)
			})
			for i := range jobs {
				rendered = append(rendered, out[i]...)
				if fails[i] != nil {
					r.findings = append(r.findings, *fails[i])
				}
			}
		}
		rendered = append(rendered, r.renderComponents(ctx)...)
	}
	used := map[*yamlscan.Document]bool{}
	for _, d := range rendered {
		used[d.Origin] = true
	}
	var objects []*yamlscan.Document
	for _, d := range r.rawDocs {
		if !used[d] && !r.patches[d.File] {
			objects = append(objects, d)
		}
	}
	r.docs += len(rendered)
	return append(objects, rendered...)
}

func (r *run) loadPolicies(ctx context.Context) *policy.Engine {
	dirs := r.settings.PolicyDirs
	if len(dirs) == 0 {
		dirs = []string{"policies"}
	}
	eng, err := policy.Load(ctx, r.root, dirs)
	if err != nil {
		r.findings = append(r.findings, check.Finding{RuleID: RulePolicyError, Severity: platform.SeverityHigh,
			Message: err.Error(), Location: check.Location{File: dirs[0]}})
		return nil
	}
	r.policies = eng.Files()
	return eng
}

func evalPolicies(ctx context.Context, eng *policy.Engine, d *yamlscan.Document) []check.Finding {
	if eng.Empty() {
		return nil
	}
	v, err := d.Value()
	if err == nil {
		var in ast.Value
		in, err = policy.ToValue(v)
		if err == nil {
			return policyFindings(ctx, eng, in, d.Location(), d.Enclosing(), d.Resource(), d.Env)
		}
	}
	return []check.Finding{{RuleID: RulePolicyError, Severity: platform.SeverityHigh,
		Message: "policy input: " + err.Error(), Location: d.Location(), Env: d.Env}}
}

// terraformPolicies evaluates policies on each .tf file, as conftest does.
func (r *run) terraformPolicies(ctx context.Context, eng *policy.Engine) []check.Finding {
	if eng.Empty() || len(r.tfFiles) == 0 {
		return nil
	}
	data := map[string][]byte{}
	for _, f := range r.files {
		data[f.rel] = f.data
	}
	results := make([][]check.Finding, len(r.tfFiles))
	parallel(ctx, len(r.tfFiles), r.opts.Workers, func(i int) {
		rel := r.tfFiles[i]
		m, err := policy.HCLToMap(rel, data[rel])
		if err != nil {
			return // the syntax error is tfscan's finding
		}
		in, err := policy.ToValue(m)
		if err != nil {
			return
		}
		results[i] = policyFindings(ctx, eng, in, check.Location{File: rel, Line: 1}, nil, "", "")
	})
	var out []check.Finding
	for _, fs := range results {
		out = append(out, fs...)
	}
	return out
}

func policyFindings(ctx context.Context, eng *policy.Engine, in ast.Value, loc check.Location, enc *check.Location, resource, env string) []check.Finding {
	rs, err := eng.Eval(ctx, in)
	if err != nil {
		return []check.Finding{{RuleID: RulePolicyError, Severity: platform.SeverityHigh, Message: err.Error(), Location: loc, Env: env}}
	}
	out := make([]check.Finding, 0, len(rs))
	for _, res := range rs {
		f := check.Finding{RuleID: RulePolicyDeny, Severity: platform.SeverityHigh,
			Message:  fmt.Sprintf("policy %s.%s: %s", res.Package, res.Rule, res.Msg),
			Location: loc, Enclosing: enc, Resource: resource, Env: env}
		if res.Kind == policy.KindWarn {
			f.RuleID, f.Severity = RulePolicyWarn, platform.SeverityLow
		}
		out = append(out, f)
	}
	return out
}

// checkGitflow judges the commit range and the branch, when asked.
func (r *run) checkGitflow(ctx context.Context) {
	if r.opts.Branch != "" && r.plat != nil {
		r.findings = append(r.findings, gitflow.CheckBranch(r.opts.Branch, r.plat)...)
	}
	if r.opts.Commits == "" {
		return
	}
	repo, err := git.Open(r.root)
	if err == nil {
		var cs []git.Commit
		if cs, err = gitflow.Commits(ctx, repo, r.opts.Commits); err == nil {
			r.findings = append(r.findings, gitflow.CheckCommits(cs)...)
			return
		}
	}
	r.findings = append(r.findings, check.Finding{RuleID: gitflow.RuleCommitMessage, Severity: platform.SeverityMedium,
		Message: "commit messages not checked: " + err.Error(), Location: check.Location{File: "commit:" + r.opts.Commits}})
}
