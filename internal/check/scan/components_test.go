package scan

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"ferry.dev/ferry/internal/check"
	"ferry.dev/ferry/internal/check/schema"
)

// TestRunHelmChartPerEnvironment: the chart is rendered per environment
// with that environment's values; only dev's values make the container
// privileged, so the finding names dev alone, points at the template and
// the rendered object, and the templates are no YAML syntax errors.
func TestRunHelmChartPerEnvironment(t *testing.T) {
	t.Parallel()
	dir := copyTree(t, "testdata/helm")
	res, err := Run(context.Background(), Options{Root: dir})
	if err != nil {
		t.Fatal(err)
	}
	fs := res.Findings
	const tmpl = "charts/api/templates/deployment.yaml"
	priv := find(fs, "FERRY-K8S-001", "")
	if len(priv) != 1 || priv[0].Env != "dev" || priv[0].Location.File != tmpl ||
		priv[0].Resource != "Deployment/api/api-server" || priv[0].Suppressed != nil {
		t.Fatalf("privileged finding = %+v\n%s", priv, summary(fs))
	}
	if !strings.HasSuffix(priv[0].Message, "(values: privileged from charts/api/values-dev.yaml)") {
		t.Errorf("finding does not name the values file: %s", priv[0].Message)
	}
	if priv[0].Location.Line != 39 {
		t.Errorf("privileged finding at line %d, want 39 (privileged: true in the template)", priv[0].Location.Line)
	}
	for _, rule := range []string{check.RuleYAMLSyntax, check.RuleRender} {
		if got := find(fs, rule, ""); len(got) != 0 {
			t.Errorf("unexpected %s:\n%s", rule, summary(fs))
		}
	}
	if res.Documents < 2 {
		t.Errorf("rendered objects not counted: %d documents", res.Documents)
	}

	prod, err := Run(context.Background(), Options{Root: dir, Env: "prod"})
	if err != nil {
		t.Fatal(err)
	}
	if got := find(prod.Findings, "FERRY-K8S-001", ""); len(got) != 0 {
		t.Errorf("--env prod reported dev's privileged container:\n%s", summary(prod.Findings))
	}

	both := copyTree(t, "testdata/helm")
	write(t, both, "charts/api/values.yaml", "image: registry.example.com/api:1.0.0\nprivileged: true\n")
	write(t, both, "charts/api/values-dev.yaml", "{}\n")
	write(t, both, "charts/api/values-prod.yaml", "{}\n")
	res, err = Run(context.Background(), Options{Root: both})
	if err != nil {
		t.Fatal(err)
	}
	if got := find(res.Findings, "FERRY-K8S-001", tmpl); len(got) != 1 || got[0].Env != "dev,prod" ||
		!strings.Contains(got[0].Message, "privileged from charts/api/values.yaml") {
		t.Errorf("a finding of both environments is not one finding listing both:\n%s", summary(res.Findings))
	}
	write(t, both, "charts/api/values-prod.yaml", "privileged: true\n")
	write(t, both, "charts/api/values-dev.yaml", "privileged: true\n")
	res, err = Run(context.Background(), Options{Root: both})
	if err != nil {
		t.Fatal(err)
	}
	got := find(res.Findings, "FERRY-K8S-001", tmpl)
	if len(got) != 2 || got[0].Env == got[1].Env ||
		!strings.Contains(got[0].Message+got[1].Message, "from charts/api/values-"+got[0].Env+".yaml") ||
		!strings.Contains(got[0].Message+got[1].Message, "from charts/api/values-"+got[1].Env+".yaml") {
		t.Errorf("each environment's finding does not name its own values file:\n%s", summary(res.Findings))
	}

	skip := copyTree(t, "testdata/helm")
	write(t, skip, "ferry.yaml", mustRead(t, filepath.Join(skip, "ferry.yaml"))+"  checks:\n    exclude: [charts/api]\n")
	res, err = Run(context.Background(), Options{Root: skip})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Findings) != 0 {
		t.Errorf("excluded chart checked:\n%s", summary(res.Findings))
	}

	p := filepath.Join(dir, tmpl)
	data, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	write(t, dir, tmpl, "# ferry:ignore FERRY-K8S-001 dev debugs node networking\n"+string(data))
	res, err = Run(context.Background(), Options{Root: dir})
	if err != nil {
		t.Fatal(err)
	}
	if got := find(res.Findings, "FERRY-K8S-001", tmpl); len(got) != 1 || got[0].Suppressed == nil {
		t.Errorf("suppression above the template not applied: %+v", got)
	}
}

// TestRunBrokenChart: charts that do not render give one located finding
// per environment, never a panic, and other charts are still checked.
func TestRunBrokenChart(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name, file, content, want, at, envs string
		line                                int
	}{
		{"template syntax", "charts/api/templates/bad.yaml", "kind: {{ if }}\n", "helm template", "charts/api/templates/bad.yaml", "dev,prod", 1},
		{"nil values", "charts/api/templates/bad.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {{ .Values.missing.deep }}\n", "nil pointer", "charts/api/templates/bad.yaml", "dev,prod", 4},
		{"rendered non-YAML", "charts/api/templates/bad.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata: {{ \"[\" }}\n", "parse", "charts/api/templates/bad.yaml", "dev,prod", 0},
		{"object without name", "charts/api/templates/bad.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  labels: {a: b}\n", "without metadata.name", "charts/api/templates/bad.yaml", "dev,prod", 0},
		{"bad values file", "charts/api/values-dev.yaml", "privileged: [\n", "values", "charts/api/values-dev.yaml", "dev", 0},
		{"no chart", "charts/api/Chart.yaml", "", "Chart", "charts/api/Chart.yaml", "dev,prod", 0},
		{"remote dependency refused", "charts/api/Chart.yaml", "apiVersion: v2\nname: api\nversion: 0.1.0\ndependencies:\n  - name: redis\n    version: 1.0.0\n    repository: https://charts.example.com\n", "allowRemoteCharts", "charts/api/Chart.yaml", "dev,prod", 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			dir := copyTree(t, "testdata/helm")
			if tc.content == "" {
				if err := os.Remove(filepath.Join(dir, tc.file)); err != nil {
					t.Fatal(err)
				}
			} else {
				write(t, dir, tc.file, tc.content)
			}
			res, err := Run(context.Background(), Options{Root: dir})
			if err != nil {
				t.Fatal(err)
			}
			r := find(res.Findings, check.RuleRender, "")
			if len(r) != 1 || !strings.Contains(r[0].Message, "component api does not render") || r[0].Env != tc.envs ||
				!strings.Contains(r[0].Message, tc.want) || r[0].Resource != "component/api" ||
				r[0].Location.File != tc.at || r[0].Location.Line != tc.line {
				t.Fatalf("render finding = %+v\n%s", r, summary(res.Findings))
			}
			for _, f := range r {
				if strings.Contains(f.Message, dir) {
					t.Errorf("message leaks the absolute root: %s", f.Message)
				}
			}
			if got := find(res.Findings, check.RuleYAMLSyntax, tc.file); len(got) != 0 && strings.Contains(tc.file, "templates/") {
				t.Errorf("template reported as a YAML syntax error:\n%s", summary(res.Findings))
			}
		})
	}
}

// TestRunManifestsPerEnvironment: a manifests component with a directory
// per environment is checked per environment.
func TestRunManifestsPerEnvironment(t *testing.T) {
	t.Parallel()
	dir := copyTree(t, "testdata/helm")
	write(t, dir, "ferry.yaml", strings.Replace(mustRead(t, filepath.Join(dir, "ferry.yaml")), "  components:\n",
		"  components:\n    - name: agent\n      type: manifests\n      path: agent/dev\n      namespace: agent\n"+
			"      inputs:\n        prod: {path: agent/prod}\n", 1))
	pod := "apiVersion: v1\nkind: Pod\nmetadata: {name: agent, namespace: agent}\nspec:\n  hostPID: %s\n  containers: [{name: a, image: a:1}]\n"
	write(t, dir, "agent/dev/pod.yaml", strings.Replace(pod, "%s", "false", 1))
	write(t, dir, "agent/prod/pod.yaml", strings.Replace(pod, "%s", "true", 1))
	res, err := Run(context.Background(), Options{Root: dir})
	if err != nil {
		t.Fatal(err)
	}
	got := find(res.Findings, "FERRY-K8S-007", "")
	if len(got) != 1 || got[0].Env != "prod" || got[0].Location.File != "agent/prod/pod.yaml" {
		t.Errorf("hostPID finding = %+v\n%s", got, summary(res.Findings))
	}
}

// TestRunHelmPoliciesAndSchemas: policies and schemas see the rendered
// objects (names, namespaces and types only rendering gives).
func TestRunHelmPoliciesAndSchemas(t *testing.T) {
	t.Parallel()
	dir := copyTree(t, "testdata/helm")
	write(t, dir, "policies/team.rego", "package main\n\ndeny contains msg if {\n\tinput.kind == \"Deployment\"\n"+
		"\tinput.metadata.namespace == \"api\"\n\tendswith(input.metadata.name, \"-server\")\n\tmsg := sprintf(\"%s: servers run in the web namespace\", [input.metadata.name])\n}\n")
	tmpl := filepath.Join(dir, "charts/api/templates/deployment.yaml")
	write(t, dir, "charts/api/templates/deployment.yaml", strings.Replace(mustRead(t, tmpl), "replicas: 2", "replicas: {{ .Values.replicas | quote }}", 1))
	write(t, dir, "charts/api/values.yaml", mustRead(t, filepath.Join(dir, "charts/api/values.yaml"))+"replicas: 2\n")
	res, err := Run(context.Background(), Options{Root: dir})
	if err != nil {
		t.Fatal(err)
	}
	deny := find(res.Findings, RulePolicyDeny, "charts/api/templates/deployment.yaml")
	if len(deny) != 1 || deny[0].Env != "dev,prod" || !strings.Contains(deny[0].Message, "api-server: servers run") {
		t.Errorf("policy on rendered objects = %+v\n%s", deny, summary(res.Findings))
	}
	wrong := find(res.Findings, schema.RuleWrongType, "charts/api/templates/deployment.yaml")
	if len(wrong) != 1 || wrong[0].Env != "dev,prod" || wrong[0].Location.Line != 8 {
		t.Errorf("schema on rendered objects = %+v\n%s", wrong, summary(res.Findings))
	}
}

func mustRead(t *testing.T, p string) string {
	t.Helper()
	data, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	return string(data)
}

func TestValuesKeys(t *testing.T) {
	t.Parallel()
	tmpl := "a: {{ .Values.a.b }}\n{{- if .Values.on }}\n{{- with .Values.inner }}{{ end }}\nx: 1\n{{- range .Values.list }}\ny: {{ . }}\n{{- end }}\nz: {{ .Values.z }}\n{{- end }}\n"
	for _, tc := range []struct {
		name string
		line int
		want string
	}{
		{"on the line", 1, "a.b"},
		{"inside if, after a closed with", 4, "on"},
		{"inside range inside if", 6, "list,on"},
		{"line and block", 8, "z,on"},
		{"out of range", 99, ""},
		{"zero", 0, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			if got := strings.Join(valuesKeys([]byte(tmpl), tc.line), ","); got != tc.want {
				t.Errorf("valuesKeys(%d) = %q, want %q", tc.line, got, tc.want)
			}
		})
	}
}

// FuzzTemplateOrigin: any template text gives an origin inside the file or
// none, never a panic.
func FuzzTemplateOrigin(f *testing.F) {
	f.Add([]byte(mustReadF(f, "testdata/helm/charts/api/templates/deployment.yaml")), "Deployment")
	f.Add([]byte("kind: {{ .Values.kind }}\n{{- if }}\n  a: [\n"), "ConfigMap")
	f.Add([]byte("---\n# c\nkind: 'Pod'\nmetadata: {{ x }}\n---\nkind: Pod # two\n"), "Pod")
	f.Add([]byte("{{/*\nkind: Secret\n*/}}\n"), "Secret")
	f.Fuzz(func(t *testing.T, data []byte, kind string) {
		_ = valuesKeys(data, len(kind))
		d := templateOrigin(kind, []file{{rel: "c/templates/x.yaml", data: data}})
		if d == nil {
			return
		}
		lines := strings.Count(string(data), "\n") + 1
		loc := d.At(nil)
		if d.File != "c/templates/x.yaml" || loc.Line < 1 || loc.Line > lines || d.Start < 1 || d.Start > lines {
			t.Fatalf("origin %+v at %+v outside a %d-line file", d, loc, lines)
		}
	})
}

func mustReadF(f *testing.F, p string) string {
	f.Helper()
	data, err := os.ReadFile(p)
	if err != nil {
		f.Fatal(err)
	}
	return string(data)
}
