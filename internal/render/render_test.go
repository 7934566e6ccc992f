package render

import (
	"bytes"
	"errors"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"sigs.k8s.io/yaml"

	"ferry.dev/ferry/internal/platform"
)

var update = flag.Bool("update", false, "rewrite golden files")

// toYAML renders objects as one multi-document YAML stream.
func toYAML(t *testing.T, objs []*unstructured.Unstructured) []byte {
	t.Helper()
	var b bytes.Buffer
	for i, o := range objs {
		if i > 0 {
			b.WriteString("---\n")
		}
		y, err := yaml.Marshal(o.Object)
		if err != nil {
			t.Fatal(err)
		}
		b.Write(y)
	}
	return b.Bytes()
}

func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	p := filepath.Join("testdata", "golden", name+".yaml")
	if *update {
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(p)
	if err != nil {
		t.Fatalf("read golden (run with -update): %v", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs from golden file %s (run with -update):\n%s", name, p, got)
	}
}

func TestRenderFixtures(t *testing.T) {
	t.Parallel()
	root := filepath.Join("testdata", "repo")
	tests := []struct {
		name string
		src  Source
	}{
		{"kustomize-overlay", Source{Type: platform.Kustomize, Root: root, Path: "apps/web/overlays/dev"}},
		{"helm-values", Source{Type: platform.Helm, Root: root, Path: "charts/hello", Name: "greet", Namespace: "hello",
			ValuesFiles: []string{"values/dev.yaml"}}},
		{"manifests", Source{Type: platform.Manifests, Root: root, Path: "plain"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			objs, err := Render(tc.src, Options{})
			if err != nil {
				t.Fatal(err)
			}
			golden(t, tc.name, toYAML(t, objs))
		})
	}
}

func TestHelmSkipsHooksAndNotes(t *testing.T) {
	t.Parallel()
	objs, err := Render(Source{Type: platform.Helm, Root: "testdata/repo", Path: "charts/hello", Name: "r"}, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if len(objs) != 1 || objs[0].GetKind() != "ConfigMap" {
		t.Fatalf("want only the ConfigMap, got %d objects", len(objs))
	}
	if got := objs[0].Object["data"].(map[string]any)["message"]; got != "hello" {
		t.Errorf("chart default value not used: %v", got)
	}
}

func TestRenderRefuses(t *testing.T) {
	t.Parallel()
	outside := t.TempDir()
	if err := os.WriteFile(filepath.Join(outside, "secret.yaml"),
		[]byte("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: stolen}\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	repo := t.TempDir()
	mk := func(dir, kust string) {
		if err := os.MkdirAll(filepath.Join(repo, dir), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(repo, dir, "kustomization.yaml"), []byte(kust), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	mk("remote", "resources: [\"github.com/example/repo//deploy?ref=v1\"]\n")
	mk("https", "resources: [https://example.com/x.yaml]\n")
	mk("escape", "resources: [../../"+filepath.Base(outside)+"/secret.yaml]\n")
	mk("link", "resources: [secret.yaml]\n")
	if err := os.Symlink(filepath.Join(outside, "secret.yaml"), filepath.Join(repo, "link", "secret.yaml")); err != nil {
		t.Fatal(err)
	}
	mk("helmcharts", "helmCharts: [{name: x, repo: https://charts.example.com}]\n")
	tests := []struct {
		name, path string
		want       error
	}{
		{"git remote base", "remote", ErrRemoteRefused},
		{"url resource", "https", ErrRemoteRefused},
		{"helmCharts generator", "helmcharts", ErrRemoteRefused},
		{"relative escape", "escape", nil},
		{"symlink escape", "link", nil},
		{"absolute path", "/etc", ErrOutsideRepo},
		{"dotdot path", "../..", ErrOutsideRepo},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			objs, err := Render(Source{Type: platform.Kustomize, Root: repo, Path: tc.path}, Options{})
			if err == nil {
				t.Fatalf("rendered %d objects, want an error", len(objs))
			}
			if tc.want != nil && !errors.Is(err, tc.want) {
				t.Fatalf("error %v, want %v", err, tc.want)
			}
			if strings.Contains(err.Error(), "stolen") {
				t.Fatalf("content outside the repo leaked: %v", err)
			}
		})
	}
}

func TestHelmRemoteDependencyRefused(t *testing.T) {
	t.Parallel()
	repo := t.TempDir()
	dir := filepath.Join(repo, "chart")
	if err := os.MkdirAll(filepath.Join(dir, "templates"), 0o755); err != nil {
		t.Fatal(err)
	}
	chart := "apiVersion: v2\nname: c\nversion: 0.1.0\ndependencies:\n- name: redis\n  version: 1.0.0\n  repository: https://charts.example.com\n"
	if err := os.WriteFile(filepath.Join(dir, "Chart.yaml"), []byte(chart), 0o644); err != nil {
		t.Fatal(err)
	}
	_, err := Render(Source{Type: platform.Helm, Root: repo, Path: "chart"}, Options{})
	if !errors.Is(err, ErrRemoteRefused) {
		t.Fatalf("error %v, want ErrRemoteRefused", err)
	}
	_, err = Render(Source{Type: platform.Helm, Root: repo, Path: "chart"}, Options{AllowRemoteCharts: true})
	if err == nil || !strings.Contains(err.Error(), "not vendored") {
		t.Fatalf("error %v, want not vendored", err)
	}
}

func TestParseManifestsErrors(t *testing.T) {
	t.Parallel()
	tests := []struct{ name, in, want string }{
		{"no kind", "apiVersion: v1\nmetadata: {name: a}\n", "missing kind"},
		{"no name", "apiVersion: v1\nkind: ConfigMap\nmetadata: {}\n", "without metadata.name"},
		{"bad yaml", "apiVersion: [\n", "document 1"},
		{"second doc", "apiVersion: v1\nkind: A\nmetadata: {name: a}\n---\nkind: B\n", "document 2"},
		{"metadata scalar", "apiVersion: v1\nkind: A\nmetadata: x\n", "metadata is not a map"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			_, err := ParseManifests([]byte(tc.in), "in.yaml")
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("error %v, want %q", err, tc.want)
			}
		})
	}
}

func FuzzParseManifests(f *testing.F) {
	for _, s := range []string{
		"apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\n",
		"---\n---\n",
		`{"apiVersion":"v1","kind":"List","items":[{"apiVersion":"v1","kind":"A","metadata":{"name":"x"}}]}`,
		"apiVersion: v1\nkind: List\nitems: 3\n",
		"a: &a [*a]\n",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		objs, err := ParseManifests(data, "fuzz.yaml")
		if err != nil {
			return
		}
		for _, o := range objs {
			if o.GetName() == "" || o.GetKind() == "" {
				t.Fatalf("accepted object without name/kind: %v", o.Object)
			}
		}
		Sort(objs)
	})
}

func TestIntegersStayIntegers(t *testing.T) {
	t.Parallel()
	for _, src := range []Source{
		{Type: platform.Kustomize, Root: "testdata/repo", Path: "apps/web/overlays/dev"},
		{Type: platform.Manifests, Root: "testdata/repo", Path: "plain"},
	} {
		objs, err := Render(src, Options{})
		if err != nil {
			t.Fatal(err)
		}
		for _, o := range objs {
			o.DeepCopy() // panics on int or float64-for-int values unstructured cannot copy
			if o.GetKind() == "Deployment" {
				if r, ok := o.Object["spec"].(map[string]any)["replicas"].(int64); !ok || r != 2 {
					t.Fatalf("replicas decoded as %T", o.Object["spec"].(map[string]any)["replicas"])
				}
			}
		}
	}
}
