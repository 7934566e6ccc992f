package scaffold

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/open-policy-agent/opa/v1/rego"
	"sigs.k8s.io/kustomize/kyaml/yaml"
)

// denyQuery prepares the team policy's conftest-style deny rules with OPA.
func denyQuery(t *testing.T, dir string) rego.PreparedEvalQuery {
	t.Helper()
	files, err := filepath.Glob(filepath.Join(dir, "policies", "*.rego"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no policies in %s/policies (%v)", dir, err)
	}
	opts := []func(*rego.Rego){rego.Query("data.main.deny")}
	for _, f := range files {
		src, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		opts = append(opts, rego.Module(f, string(src)))
	}
	q, err := rego.New(opts...).PrepareForEval(context.Background())
	if err != nil {
		t.Fatalf("compile policies: %v", err)
	}
	return q
}

func denials(t *testing.T, q rego.PreparedEvalQuery, obj *yaml.RNode) []string {
	t.Helper()
	m, err := obj.Map()
	if err != nil {
		t.Fatal(err)
	}
	rs, err := q.Eval(context.Background(), rego.EvalInput(m))
	if err != nil {
		t.Fatalf("eval deny: %v", err)
	}
	var msgs []string
	for _, r := range rs {
		for _, e := range r.Expressions {
			set, _ := e.Value.([]any)
			for _, v := range set {
				msgs = append(msgs, v.(string))
			}
		}
	}
	return msgs
}

// TestTeamPolicy runs the platform's own Rego policy over every rendered
// object: the reference apps pass it, and objects that break it are denied
// with a message.
func TestTeamPolicy(t *testing.T) {
	t.Parallel()
	dir := written(t)
	q := denyQuery(t, dir)
	for app := range wantKinds {
		for _, env := range envs {
			for _, o := range build(t, filepath.Join(dir, "apps", app, "overlays", env)) {
				if msgs := denials(t, q, o); len(msgs) > 0 {
					t.Errorf("%s/%s %s/%s denied: %v", app, env, o.GetKind(), o.GetName(), msgs)
				}
			}
		}
	}
	objs := build(t, filepath.Join(dir, "apps", "sample-service", "overlays", "dev"))
	tests := []struct {
		name, kind, objName, want string
		mutate                    func(*yaml.RNode) error
	}{
		{"object without team label", "Service", "sample-service", `Service "sample-service" has no team label`,
			func(o *yaml.RNode) error { return o.PipeE(yaml.Lookup("metadata", "labels"), yaml.Clear("team")) }},
		{"pod template without team label", "Deployment", "sample-service", "pod template has no team label",
			func(o *yaml.RNode) error {
				return o.PipeE(yaml.Lookup("spec", "template", "metadata", "labels"), yaml.Clear("team"))
			}},
		{"namespace below restricted", "Namespace", "dev-sample-service", "must enforce the restricted",
			func(o *yaml.RNode) error {
				return o.PipeE(yaml.Lookup("metadata", "labels"), yaml.SetField("pod-security.kubernetes.io/enforce", yaml.NewStringRNode("baseline")))
			}},
	}
	for _, tc := range tests {
		o := find(t, objs, tc.kind, tc.objName).Copy()
		if err := tc.mutate(o); err != nil {
			t.Fatal(err)
		}
		msgs := denials(t, q, o)
		if len(msgs) != 1 || !strings.Contains(msgs[0], tc.want) {
			t.Errorf("%s: denials %v, want one containing %q", tc.name, msgs, tc.want)
		}
	}
}
