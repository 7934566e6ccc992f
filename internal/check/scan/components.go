package scan

import (
	"bytes"
	"context"
	"fmt"
	"path"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"

	"gopkg.in/yaml.v3"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	sigsyaml "sigs.k8s.io/yaml"

	"ferry.dev/ferry/internal/check"
	"ferry.dev/ferry/internal/check/yamlscan"
	"ferry.dev/ferry/internal/platform"
	ferryrender "ferry.dev/ferry/internal/render"
)

// componentJob is one Helm chart (or per-environment manifests directory)
// of one environment, rendered with the renderer ferry sync uses.
type componentJob struct {
	env  string
	comp platform.Component
	dir  string
}

// componentJobs lists the components rendered from disk per environment:
// every Helm chart, and manifests components whose path differs by
// environment (a plain manifests directory is checked as files). A path
// the checks exclude is not rendered, as the walk does not read it.
func componentJobs(p *platform.Platform, env string) []componentJob {
	var jobs []componentJob
	for _, e := range p.Spec.Environments {
		if env != "" && e.Name != env {
			continue
		}
		for _, c := range p.Spec.Components {
			dir := path.Clean(c.PathFor(e.Name))
			if c.InputsFor(e.Name).Skip || !renderedFromDisk(c) || excluded(dir, p.Spec.Checks.Exclude) {
				continue
			}
			jobs = append(jobs, componentJob{env: e.Name, comp: c, dir: dir})
		}
	}
	return jobs
}

func renderedFromDisk(c platform.Component) bool {
	switch c.Type {
	case platform.Helm:
		return true
	case platform.Manifests:
		for _, in := range c.Inputs {
			if in.Path != "" {
				return true
			}
		}
	}
	return false
}

// renderComponents renders every Helm chart and per-environment manifests
// directory of the checked environments; failures become findings.
func (r *run) renderComponents(ctx context.Context) []*yamlscan.Document {
	jobs := componentJobs(r.plat, r.opts.Env)
	idx := newOriginIndex(r.rawDocs, r.patches)
	out := make([][]*yamlscan.Document, len(jobs))
	fails := make([]*check.Finding, len(jobs))
	parallel(ctx, len(jobs), r.opts.Workers, func(i int) {
		out[i], fails[i] = r.renderComponent(jobs[i], idx)
	})
	var rendered []*yamlscan.Document
	r.helmDocs = map[*yamlscan.Document]helmSource{}
	for i, job := range jobs {
		rendered = append(rendered, out[i]...)
		if fails[i] != nil {
			r.findings = append(r.findings, *fails[i])
		}
		if job.comp.Type == platform.Helm {
			r.recordHelmSources(job, out[i])
		}
	}
	return rendered
}

// recordHelmSources remembers each rendered object's template and values
// files, for annotateValues.
func (r *run) recordHelmSources(job componentJob, docs []*yamlscan.Document) {
	values := append([]string{path.Join(job.dir, "values.yaml")}, job.comp.InputsFor(job.env).ValuesFiles...)
	for _, d := range docs {
		for _, f := range r.files {
			if f.rel == d.Origin.File {
				r.helmDocs[d] = helmSource{template: f.data, values: values}
				break
			}
		}
	}
}

// renderComponent renders job and returns its objects as documents whose
// origin is the template (Helm) or file (manifests) they came from.
func (r *run) renderComponent(job componentJob, idx *originIndex) (docs []*yamlscan.Document, fail *check.Finding) {
	at := job.dir
	if job.comp.Type == platform.Helm {
		at = path.Join(job.dir, "Chart.yaml")
	}
	failWith := func(err error) *check.Finding {
		msg := strings.ReplaceAll(err.Error(), r.root+"/", "")
		if real, rerr := filepath.EvalSymlinks(r.root); rerr == nil {
			msg = strings.ReplaceAll(msg, real+"/", "")
		}
		// no environment in the message: the same error in several
		// environments is one finding listing them
		return &check.Finding{RuleID: check.RuleRender, Severity: platform.SeverityHigh, Env: job.env,
			Message:  fmt.Sprintf("component %s does not render: %s", job.comp.Name, msg),
			Location: r.failLocation(job, at, msg), Resource: "component/" + job.comp.Name}
	}
	defer func() {
		if v := recover(); v != nil {
			docs, fail = nil, failWith(fmt.Errorf("renderer panicked: %v", v))
		}
	}()
	objs, err := ferryrender.Component(r.root, r.plat, job.comp, job.env)
	if err != nil {
		return nil, failWith(err)
	}
	templates := r.chartTemplates(job.dir)
	for _, o := range objs {
		d, err := objectDocument(o, at)
		if err != nil {
			return nil, failWith(err)
		}
		d.Env = job.env
		d.Origin = idx.findUnder(d, job.dir)
		if d.Origin == nil && job.comp.Type == platform.Helm {
			d.Origin = templateOrigin(d.Kind(), templates)
		}
		if d.Origin == nil {
			d.Origin = &yamlscan.Document{File: at, Start: 1, End: 1,
				Root: &yaml.Node{Kind: yaml.MappingNode, Line: 1, Column: 1}}
		}
		docs = append(docs, d)
	}
	return docs, nil
}

var templateRef = regexp.MustCompile(`[A-Za-z0-9_.-]+/((?:charts/[A-Za-z0-9_.-]+/)*templates/[^\s:()"]+)(?::(\d+))?`)

// failLocation points a render error at the values file or template it
// names, when that is a file of the chart; else at the chart (or directory).
func (r *run) failLocation(job componentJob, at, msg string) check.Location {
	for _, vf := range job.comp.InputsFor(job.env).ValuesFiles {
		if strings.Contains(msg, "helm values "+vf+":") {
			return check.Location{File: vf}
		}
	}
	if job.comp.Type != platform.Helm {
		return check.Location{File: at}
	}
	if m := templateRef.FindStringSubmatch(msg); m != nil {
		rel := path.Join(job.dir, m[1])
		for _, f := range r.files {
			if f.rel == rel {
				line, _ := strconv.Atoi(m[2])
				return check.Location{File: rel, Line: line}
			}
		}
	}
	return check.Location{File: at}
}

// objectDocument turns a rendered object into a document named file.
func objectDocument(o *unstructured.Unstructured, file string) (*yamlscan.Document, error) {
	data, err := sigsyaml.Marshal(o.Object)
	if err != nil {
		return nil, fmt.Errorf("encode %s/%s: %w", o.GetKind(), o.GetName(), err)
	}
	docs, bad := yamlscan.Parse(file, data)
	if len(bad) > 0 {
		return nil, fmt.Errorf("rendered %s/%s: %s", o.GetKind(), o.GetName(), bad[0].Message)
	}
	if len(docs) != 1 {
		return nil, fmt.Errorf("rendered %s/%s: %d documents", o.GetKind(), o.GetName(), len(docs))
	}
	return docs[0], nil
}

// findUnder is find limited to source documents inside dir.
func (idx *originIndex) findUnder(d *yamlscan.Document, dir string) *yamlscan.Document {
	o := idx.find(d, dir)
	if o == nil || (dir != "." && !strings.HasPrefix(o.File, dir+"/")) {
		return nil
	}
	return o
}

// chartTemplates are the files under a chart's templates directories (its
// own and its vendored subcharts'), in path order.
func (r *run) chartTemplates(dir string) []file {
	var out []file
	for _, f := range r.files {
		if (dir == "." || strings.HasPrefix(f.rel, dir+"/")) && strings.Contains("/"+f.rel, "/templates/") {
			out = append(out, f)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].rel < out[j].rel })
	return out
}

var kindLine = regexp.MustCompile(`(?m)^[ \t-]*kind:[ \t]*["']?([A-Za-z0-9]+)["']?[ \t]*(#.*)?$`)

// templateOrigin points at the template that declares kind: the one named
// after the kind (deployment.yaml) if several do. When the template parses
// as YAML with its actions blanked, findings point at the field's line;
// otherwise at the `kind:` line, with the whole template as the enclosing
// range, so a ferry:ignore comment above its first line applies.
func templateOrigin(kind string, templates []file) *yamlscan.Document {
	var best *yamlscan.Document
	for _, f := range templates {
		line := 0
		for _, m := range kindLine.FindAllSubmatchIndex(f.data, -1) {
			if string(f.data[m[2]:m[3]]) == kind {
				line = bytes.Count(f.data[:m[0]], []byte("\n")) + 1
				break
			}
		}
		if line == 0 {
			continue
		}
		d := sanitizedDocument(f, kind)
		if d == nil {
			d = &yamlscan.Document{File: f.rel, Start: firstCodeLine(f.data), End: bytes.Count(f.data, []byte("\n")) + 1,
				Root: &yaml.Node{Kind: yaml.MappingNode, Line: line, Column: 1}}
		}
		base := strings.TrimSuffix(strings.TrimSuffix(path.Base(f.rel), ".yaml"), ".yml")
		if strings.EqualFold(base, kind) {
			return d
		}
		if best == nil {
			best = d
		}
	}
	return best
}

// firstCodeLine is the first line that is neither blank nor a comment.
func firstCodeLine(data []byte) int {
	for i, l := range strings.Split(string(data), "\n") {
		if t := strings.TrimSpace(l); t != "" && t != "---" && !strings.HasPrefix(t, "#") {
			return i + 1
		}
	}
	return 1
}

var (
	actionLine = regexp.MustCompile(`(?m)^[ \t]*\{\{[^\n]*\}\}[ \t]*$`)
	action     = regexp.MustCompile(`\{\{[^\n]*?\}\}`)
)

// sanitizedDocument parses a template with every line that is only an
// action blanked and every inline action replaced by a scalar (line numbers
// kept), and returns its first document of kind, or nil when it does not
// parse: a best effort to locate fields, never a finding of its own.
func sanitizedDocument(f file, kind string) *yamlscan.Document {
	data := actionLine.ReplaceAll(f.data, nil)
	data = action.ReplaceAll(data, []byte("x"))
	docs, bad := yamlscan.Parse(f.rel, data)
	if len(bad) > 0 {
		return nil
	}
	for _, d := range docs {
		if d.Kind() == kind {
			return d
		}
	}
	return nil
}
