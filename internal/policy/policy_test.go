package policy

import (
	"context"
	"errors"
	"math"
	"sort"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"
)

func load(t *testing.T) *Engine {
	t.Helper()
	e, err := Load(context.Background(), "testdata", []string{"policies", "missing-dir"})
	if err != nil {
		t.Fatal(err)
	}
	return e
}

func evalYAML(t *testing.T, e *Engine, src string) []string {
	t.Helper()
	var v any
	if err := yaml.Unmarshal([]byte(src), &v); err != nil {
		t.Fatal(err)
	}
	in, err := ToValue(v)
	if err != nil {
		t.Fatal(err)
	}
	rs, err := e.Eval(context.Background(), in)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, r := range rs {
		out = append(out, r.Kind+":"+r.Package+"."+r.Rule+":"+r.Msg)
	}
	sort.Strings(out)
	return out
}

func TestEvalDocuments(t *testing.T) {
	t.Parallel()
	e := load(t)
	if got := strings.Join(e.Files(), ","); got != "policies/k8s/labels.rego,policies/legacy/v0.rego,policies/main.rego" {
		t.Fatalf("files = %s", got)
	}
	tests := []struct {
		name string
		src  string
		want []string
	}{
		{"deployment breaks three rules", "kind: Deployment\nmetadata: {name: web}\nspec: {replicas: 1}\n", []string{
			"deny:main.deny:Deployment web must set runAsNonRoot",
			"violation:kubernetes.labels.violation:missing owner label",
			"warn:main.warn_replicas:fewer than 2 replicas"}},
		{"compliant deployment", "kind: Deployment\nmetadata: {name: web, labels: {owner: a}}\nspec:\n  replicas: 3\n  template: {spec: {securityContext: {runAsNonRoot: true}}}\n", nil},
		{"legacy v0 policy", "kind: Service\nspec: {type: LoadBalancer}\n", []string{"deny:legacy.deny:no LoadBalancer services"}},
		{"other document", "a: 1\n", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if got := evalYAML(t, e, tt.src); strings.Join(got, "|") != strings.Join(tt.want, "|") {
				t.Errorf("got %q\nwant %q", got, tt.want)
			}
		})
	}
}

func TestViolationDetails(t *testing.T) {
	t.Parallel()
	e := load(t)
	in, _ := ToValue(map[string]any{"kind": "Deployment", "metadata": map[string]any{"name": "x"}})
	rs, err := e.Eval(context.Background(), in)
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range rs {
		if r.Kind == KindViolation && r.Details["team"] != "platform" {
			t.Errorf("details = %v", r.Details)
		}
	}
}

func TestHCLInput(t *testing.T) {
	t.Parallel()
	e := load(t)
	src := `resource "aws_s3_bucket" "logs" {
  bucket = "${var.prefix}-logs"
  acl    = "public-read"
  tags   = { team = "platform" }
}
`
	m, err := HCLToMap("main.tf", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	b := m["resource"].(map[string]any)["aws_s3_bucket"].(map[string]any)["logs"].([]any)[0].(map[string]any)
	if b["bucket"] != "${var.prefix}-logs" || b["acl"] != "public-read" {
		t.Errorf("body = %v", b)
	}
	in, _ := ToValue(m)
	rs, err := e.Eval(context.Background(), in)
	if err != nil || len(rs) != 1 || rs[0].Msg != "bucket logs is public" {
		t.Fatalf("results = %+v, %v", rs, err)
	}
}

func TestEvalPlan(t *testing.T) {
	t.Parallel()
	plan := `{"format_version":"1.2","resource_changes":[
	 {"address":"aws_instance.big","type":"aws_instance","change":{"actions":["create"],"after":{"instance_type":"m5.24xlarge"}}},
	 {"address":"aws_instance.ok","type":"aws_instance","change":{"actions":["create"],"after":{"instance_type":"t3.micro"}}}]}`
	rs, err := EvalPlan(context.Background(), []string{"testdata/policies"}, []byte(plan))
	if err != nil {
		t.Fatal(err)
	}
	if len(rs) != 1 || rs[0].Msg != "aws_instance.big: instance type too large" {
		t.Fatalf("results = %+v", rs)
	}
	if _, err := EvalPlan(context.Background(), []string{"testdata/none"}, []byte(plan)); !errors.Is(err, ErrNoPolicies) {
		t.Errorf("err = %v, want ErrNoPolicies", err)
	}
	if _, err := EvalPlan(context.Background(), []string{"testdata/policies"}, []byte("{")); err == nil {
		t.Error("bad plan JSON accepted")
	}
}

func TestNetworkBuiltinsBlocked(t *testing.T) {
	t.Parallel()
	_, err := Load(context.Background(), "testdata", []string{"bad"})
	if err == nil || !strings.Contains(err.Error(), "http.send") {
		t.Fatalf("err = %v, want http.send rejected", err)
	}
}

func TestToValueOddInputs(t *testing.T) {
	t.Parallel()
	v, err := ToValue(map[any]any{1: math.NaN(), "b": []byte("x"), true: map[string]any{"c": math.Inf(1)}})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(v.String(), `"1": "NaN"`) {
		t.Errorf("value = %s", v)
	}
	deep := any("x")
	for range maxInputDepth + 5 {
		deep = []any{deep}
	}
	if _, err := ToValue(deep); err == nil {
		t.Error("deep input accepted")
	}
}

// FuzzToValue: any YAML document converts without panicking.
func FuzzToValue(f *testing.F) {
	f.Add([]byte("kind: Deployment\nspec: {replicas: 1}\n"))
	f.Add([]byte("? [a, b]\n: .nan\nt: 2001-12-14t21:59:43.10-05:00\nb: !!binary aGVsbG8=\n"))
	f.Add([]byte("a: &a [*a]"))
	f.Fuzz(func(t *testing.T, data []byte) {
		var v any
		if yaml.Unmarshal(data, &v) != nil {
			return
		}
		_, _ = ToValue(v)
	})
}

// FuzzHCLToMap: any bytes convert or fail cleanly.
func FuzzHCLToMap(f *testing.F) {
	f.Add([]byte(`resource "a" "b" { x = 1 }`))
	f.Add([]byte("a = {\nb = [var.x, 2]\n}\nblock { c = \"${d}\" }\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		m, err := HCLToMap("f.tf", data)
		if err == nil {
			_, _ = ToValue(m)
		}
	})
}
