package scan

import (
	"bytes"
	"context"
	"fmt"
	"path"
	"sort"
	"strings"
	"sync"
	"sync/atomic"

	"ferry.dev/ferry/internal/check"
	"ferry.dev/ferry/internal/check/rules/secrets"
	"ferry.dev/ferry/internal/check/tfscan"
	"ferry.dev/ferry/internal/check/yamlscan"
	"ferry.dev/ferry/internal/platform"
)

// parallel calls fn(i) for i in [0,n) on up to workers goroutines.
func parallel(ctx context.Context, n, workers int, fn func(i int)) {
	var next atomic.Int64
	var wg sync.WaitGroup
	for range min(workers, n) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for ctx.Err() == nil {
				i := int(next.Add(1)) - 1
				if i >= n {
					return
				}
				fn(i)
			}
		}()
	}
	wg.Wait()
}

// fileResult is what loading one file produced.
type fileResult struct {
	data     []byte
	docs     []*yamlscan.Document
	dirs     []check.Directive
	findings []check.Finding
}

// loadFiles reads and parses every file in parallel: secrets in any text
// file, suppressions and YAML documents in configuration files.
func (r *run) loadFiles(ctx context.Context, rels []string) {
	results := make([]fileResult, len(rels))
	parallel(ctx, len(rels), r.opts.Workers, func(i int) {
		results[i] = loadFile(r.root, rels[i])
	})
	r.patches = map[string]bool{}
	for i, res := range results {
		r.findings = append(r.findings, res.findings...)
		if res.data == nil {
			continue
		}
		rel := rels[i]
		r.files = append(r.files, file{rel: rel, data: res.data})
		r.dirs = append(r.dirs, res.dirs...)
		r.rawDocs = append(r.rawDocs, res.docs...)
		if strings.HasSuffix(rel, ".tf") {
			r.tfFiles = append(r.tfFiles, rel)
		}
		if path.Base(rel) == "kustomization.yaml" || path.Base(rel) == "kustomization.yml" {
			for _, d := range res.docs {
				for _, p := range patchFiles(d) {
					r.patches[path.Join(path.Dir(rel), p)] = true
				}
			}
		}
	}
	r.docs = len(r.rawDocs)
	markKustomized(r.rawDocs, r.files)
}

// markKustomized flags documents under a directory with a kustomization:
// kustomize may set their namespace and labels.
func markKustomized(docs []*yamlscan.Document, files []file) {
	dirs := map[string]bool{}
	for _, f := range files {
		switch path.Base(f.rel) {
		case "kustomization.yaml", "kustomization.yml", "Kustomization":
			dirs[path.Dir(f.rel)] = true
		}
	}
	if len(dirs) == 0 {
		return
	}
	for _, d := range docs {
		for dir := path.Dir(d.File); ; dir = path.Dir(dir) {
			if dirs[dir] {
				d.Kustomized = true
				break
			}
			if dir == "." || dir == "/" {
				break
			}
		}
	}
}

func loadFile(root, rel string) fileResult {
	data, skip := read(root, rel)
	if data == nil {
		if skip != nil {
			return fileResult{findings: []check.Finding{*skip}}
		}
		return fileResult{}
	}
	res := fileResult{data: data, findings: secrets.Scan(rel, data)}
	if !configExt(rel) {
		return res
	}
	dirs, bad := check.ParseSuppressions(rel, data)
	res.dirs = dirs
	res.findings = append(res.findings, bad...)
	if (isYAML(rel) && !helmTemplate(rel, data)) || jsonManifest(rel, data) {
		docs, syn := yamlscan.Parse(rel, data)
		res.docs = docs
		res.findings = append(res.findings, syn...)
	}
	return res
}

// jsonManifest: a .json file that looks like a Kubernetes object (YAML
// parses JSON, with lines).
func jsonManifest(rel string, data []byte) bool {
	return strings.HasSuffix(strings.ToLower(rel), ".json") &&
		bytes.Contains(data, []byte(`"apiVersion"`)) && bytes.Contains(data, []byte(`"kind"`))
}

// helmTemplate: chart templates are Go templates, not YAML, until rendered.
func helmTemplate(rel string, data []byte) bool {
	return strings.Contains("/"+rel, "/templates/") && bytes.Contains(data, []byte("{{"))
}

// patchFiles lists the files a kustomization uses as patches: they are
// partial objects, checked only once rendered.
func patchFiles(d *yamlscan.Document) []string {
	var out []string
	for _, p := range yamlscan.Items(yamlscan.Get(d.Root, "patchesStrategicMerge")) {
		out = append(out, yamlscan.Str(p))
	}
	for _, key := range []string{"patches", "patchesJson6902"} {
		for _, p := range yamlscan.Items(yamlscan.Get(d.Root, key)) {
			if s := yamlscan.Str(yamlscan.Get(p, "path")); s != "" {
				out = append(out, s)
			}
		}
	}
	return out
}

// startTerraform runs tfscan in the background, once per environment with
// that environment's tfvars (or once without any), and returns a function
// that waits for its findings.
func (r *run) startTerraform(ctx context.Context) func() ([]check.Finding, error) {
	if len(r.tfFiles) == 0 {
		return func() ([]check.Finding, error) { return nil, nil }
	}
	reqs := []tfscan.Request{{Root: r.root, Files: r.tfFiles, Settings: r.settings}}
	if len(r.envs) > 0 {
		reqs = reqs[:0]
		for _, env := range r.envs {
			reqs = append(reqs, tfscan.Request{Root: r.root, Files: r.tfFiles, Env: env,
				VarFiles: varFiles(r.plat, env), Settings: r.settings})
		}
	}
	results := make([][]check.Finding, len(reqs))
	errs := make([]error, len(reqs))
	done := make(chan struct{})
	go func() {
		defer close(done)
		parallel(ctx, len(reqs), r.opts.Workers, func(i int) {
			results[i], errs[i] = tfscan.Scan(ctx, reqs[i])
		})
	}()
	return func() ([]check.Finding, error) {
		<-done
		var out []check.Finding
		for i := range reqs {
			if errs[i] != nil {
				return nil, fmt.Errorf("check terraform: %w", errs[i])
			}
			out = append(out, results[i]...)
		}
		return out, nil
	}
}

func varFiles(p *platform.Platform, env string) []string {
	var out []string
	for _, c := range p.Spec.Components {
		if c.Type != platform.Terraform {
			continue
		}
		in := c.InputsFor(env)
		if !in.Skip {
			out = append(out, in.VarFiles...)
		}
	}
	return out
}

// dedupe merges findings that differ only by environment (a base object
// rendered in every environment) and drops exact duplicates.
func dedupe(fs []check.Finding) []check.Finding {
	type key struct {
		rule, msg string
		loc       check.Location
	}
	index := map[key]int{}
	var out []check.Finding
	for _, f := range fs {
		k := key{f.RuleID, f.Message, f.Location}
		if i, ok := index[k]; ok {
			out[i].Env = mergeEnv(out[i].Env, f.Env)
			continue
		}
		index[k] = len(out)
		out = append(out, f)
	}
	return out
}

func mergeEnv(a, b string) string {
	if a == "" || b == "" {
		return a + b
	}
	set := map[string]bool{}
	for _, e := range strings.Split(a+","+b, ",") {
		set[e] = true
	}
	envs := make([]string, 0, len(set))
	for e := range set {
		envs = append(envs, e)
	}
	sort.Strings(envs)
	return strings.Join(envs, ",")
}

func sortFindings(fs []check.Finding) {
	sort.SliceStable(fs, func(i, j int) bool {
		a, b := fs[i], fs[j]
		if a.Location.File != b.Location.File {
			return a.Location.File < b.Location.File
		}
		if a.Location.Line != b.Location.Line {
			return a.Location.Line < b.Location.Line
		}
		if a.RuleID != b.RuleID {
			return a.RuleID < b.RuleID
		}
		return a.Message < b.Message
	})
}
