package catalog

import (
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"sigs.k8s.io/yaml"

	"ferry.dev/ferry/internal/platform"
	"ferry.dev/ferry/internal/render"
)

const templateDir = referenceDir + "/templates/new-service"

func readTemplate(t *testing.T) map[string]any {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(templateDir, "template.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	var tmpl map[string]any
	if err := yaml.Unmarshal(data, &tmpl); err != nil {
		t.Fatal(err)
	}
	return tmpl
}

// TestTemplatePassesBackstage: the reference platform's Software Template
// passes Backstage's policies and the scaffolder's Template validator, and
// uses only built-in actions; a broken copy is refused.
func TestTemplatePassesBackstage(t *testing.T) {
	t.Parallel()
	tmpl := readTemplate(t)
	spec := tmpl["spec"].(map[string]any)
	var actions []string
	for _, s := range spec["steps"].([]any) {
		actions = append(actions, s.(map[string]any)["action"].(string))
	}
	if strings.Join(actions, ",") != "fetch:template,fetch:template,publish:github:pull-request" {
		t.Fatalf("steps: %v", actions)
	}
	broken := readTemplate(t)
	delete(broken["spec"].(map[string]any), "type")
	badStep := readTemplate(t)
	badStep["spec"].(map[string]any)["steps"] = []any{map[string]any{"id": "x", "input": map[string]any{}}} // no action
	vs := backstageValidate(t, []any{tmpl, broken, badStep})
	if !vs[0].OK {
		t.Fatalf("Backstage refuses the template: %s", vs[0].Error)
	}
	for i, v := range vs[1:] {
		if v.OK {
			t.Errorf("broken template %d passes", i)
		}
	}
}

// nunjucksValue matches the ${{ values.NAME }} expressions of the skeleton.
var nunjucksValue = regexp.MustCompile(`\$\{\{\s*values\.([A-Za-z]+)\s*\}\}`)

// fill is a stand-in for the scaffolder's Nunjucks (Backstage's templater
// is not available here): it replaces ${{ values.NAME }} and fails on any
// other expression, so the skeleton stays within what it can check.
func fill(t *testing.T, data []byte, values map[string]string) []byte {
	t.Helper()
	out := nunjucksValue.ReplaceAllStringFunc(string(data), func(m string) string {
		name := nunjucksValue.FindStringSubmatch(m)[1]
		v, ok := values[name]
		if !ok {
			t.Fatalf("the skeleton uses values.%s, which the template does not pass", name)
		}
		return v
	})
	if strings.Contains(out, "${{") || strings.Contains(out, "{%") {
		t.Fatalf("an expression fill does not know:\n%s", out)
	}
	return []byte(out)
}

// TestTemplateMakesAService: the template's skeleton and component entry,
// filled in as its steps would, added to a copy of the reference platform
// give a platform that loads, renders in every environment (into
// ENV-NAME namespaces, labelled for Backstage) and whose catalog passes
// Backstage's validators with the new Component.
func TestTemplateMakesAService(t *testing.T) {
	t.Parallel()
	values := map[string]string{"name": "orders", "description": "Takes orders.", "owner": "group:default/shop",
		"image": "ghcr.io/acme/orders:1.0.0", "port": "8080"}
	root := t.TempDir()
	if err := os.CopyFS(root, os.DirFS(referenceDir)); err != nil {
		t.Fatal(err)
	}
	// Step app: fetch:template ./skeleton → apps/NAME.
	app := filepath.Join(root, "apps", values["name"])
	err := filepath.WalkDir(filepath.Join(templateDir, "skeleton"), func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, _ := filepath.Rel(filepath.Join(templateDir, "skeleton"), p)
		data, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		if err := os.MkdirAll(filepath.Dir(filepath.Join(app, rel)), 0o755); err != nil {
			return err
		}
		return os.WriteFile(filepath.Join(app, rel), fill(t, data, values), 0o644)
	})
	if err != nil {
		t.Fatal(err)
	}
	// Step component: the entry, added under spec.components as the pull
	// request asks.
	entry, err := os.ReadFile(filepath.Join(templateDir, "component", "ferry-component.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	ferryYAML, err := os.ReadFile(filepath.Join(root, platform.FileName))
	if err != nil {
		t.Fatal(err)
	}
	indented := "    " + strings.ReplaceAll(strings.TrimSpace(string(fill(t, entry, values))), "\n", "\n    ") + "\n\n"
	doc := strings.Replace(string(ferryYAML), "  components:\n", "  components:\n"+indented, 1)
	if err := os.WriteFile(filepath.Join(root, platform.FileName), []byte(doc), 0o644); err != nil {
		t.Fatal(err)
	}
	p, err := platform.Load(root)
	if err != nil {
		t.Fatalf("the reference platform with the template's entry: %v", err)
	}
	c, ok := p.Component("orders")
	if !ok || c.Owner != "group:default/shop" || c.Lifecycle != "experimental" {
		t.Fatalf("component: %+v", c)
	}
	for _, env := range p.Spec.Environments {
		objs, err := render.Component(root, p, c, env.Name)
		if err != nil {
			t.Fatalf("render orders in %s: %v", env.Name, err)
		}
		kinds := map[string]bool{}
		for _, u := range objs {
			kinds[u.GetKind()] = true
			if u.GetKind() != "Namespace" && u.GetNamespace() != env.Name+"-orders" {
				t.Errorf("%s %s in namespace %q, want %s-orders", u.GetKind(), u.GetName(), u.GetNamespace(), env.Name)
			}
			if u.GetLabels()[render.KubernetesIDLabel] != "orders" {
				t.Errorf("%s %s lacks the kubernetes-id label", u.GetKind(), u.GetName())
			}
		}
		if !kinds["Deployment"] || !kinds["Service"] || !kinds["Namespace"] {
			t.Errorf("%s renders %v", env.Name, kinds)
		}
	}
	es, err := Entities(p, Options{})
	if err != nil {
		t.Fatal(err)
	}
	found := false
	for _, e := range es {
		found = found || (e.Kind == "Component" && e.Metadata.Name == "orders" && e.Metadata.Description == "Takes orders.")
	}
	if !found {
		t.Fatal("the catalog has no Component orders")
	}
	requireValid(t, es)
}
