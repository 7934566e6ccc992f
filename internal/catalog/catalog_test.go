package catalog

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"ferry.dev/ferry/internal/platform"
)

var readFile = os.ReadFile

const referenceDir = "../../examples/platform"

func reference(t *testing.T) *platform.Platform {
	t.Helper()
	root, err := filepath.Abs(referenceDir)
	if err != nil {
		t.Fatal(err)
	}
	p, err := platform.Load(root)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// TestReferenceCatalogPassesBackstage: every entity of the reference
// platform, with a remote and a server (so every annotation ferry writes
// is there), passes Backstage's own policies and kind validators.
func TestReferenceCatalogPassesBackstage(t *testing.T) {
	t.Parallel()
	p := reference(t)
	p.Spec.Catalog.Server = "https://ferry.example.com"
	es, err := Entities(p, Options{RepoURL: "https://github.com/acme/platform"})
	if err != nil {
		t.Fatal(err)
	}
	kinds := map[string]int{}
	for _, e := range es {
		kinds[e.Kind]++
	}
	// 1 system; 3 kustomize components; 3 stacks + 4 targets.
	if kinds["System"] != 1 || kinds["Component"] != 3 || kinds["Resource"] != 7 {
		t.Fatalf("entities by kind: %v", kinds)
	}
	if n := requireValid(t, es); n != len(es) {
		t.Fatalf("validated %d of %d", n, len(es))
	}
}

// TestValidatorRejectsBrokenEntities: the validator is not a rubber stamp.
// Each entity breaks one rule Backstage holds.
func TestValidatorRejectsBrokenEntities(t *testing.T) {
	t.Parallel()
	p := reference(t)
	es, err := Entities(p, Options{})
	if err != nil {
		t.Fatal(err)
	}
	comp := func() Entity {
		for _, e := range es {
			if e.Kind == "Component" {
				e.Metadata.Annotations = map[string]string{AnnotationKubernetesID: e.Metadata.Name}
				return e
			}
		}
		t.Fatal("no component")
		return Entity{}
	}
	badName, noLifecycle, badAnnotation, noOwner, badKind := comp(), comp(), comp(), comp(), comp()
	badName.Metadata.Name = "sample service!"
	noLifecycle.Spec.Lifecycle = ""
	badAnnotation.Metadata.Annotations["not a key"] = "x"
	noOwner.Spec.Owner = ""
	badKind.Kind = "Cluster"
	broken := []Entity{badName, noLifecycle, badAnnotation, noOwner, badKind}
	vs := backstageValidate(t, append([]Entity{comp()}, broken...))
	if !vs[0].OK {
		t.Fatalf("the unbroken control is refused: %s", vs[0].Error)
	}
	for i, v := range vs[1:] {
		if v.OK {
			t.Errorf("broken entity %d (%s %s) passes Backstage's validators", i, v.Kind, v.Name)
		}
	}
}

// TestEntitiesShape: names, references and annotations, one rule each.
func TestEntitiesShape(t *testing.T) {
	t.Parallel()
	p := reference(t)
	p.Spec.Catalog.Server = "https://ferry.example.com"
	es, err := Entities(p, Options{RepoURL: "https://github.com/acme/platform"})
	if err != nil {
		t.Fatal(err)
	}
	get := func(kind, name string) Entity {
		for _, e := range es {
			if e.Kind == kind && e.Metadata.Name == name {
				return e
			}
		}
		t.Fatalf("no %s %s", kind, name)
		return Entity{}
	}
	sys := get("System", "reference-platform")
	if sys.Metadata.Annotations[AnnotationSourceLocation] != "url:https://github.com/acme/platform/tree/develop/" ||
		sys.Metadata.Annotations[AnnotationServer] != "https://ferry.example.com" ||
		sys.Metadata.Annotations[AnnotationEnvironments] != "dev,staging,production" ||
		len(sys.Metadata.Links) != 1 || sys.Spec.Owner != "platform-team" {
		t.Errorf("system: %+v", sys)
	}
	bs := get("Component", "backstage")
	a := bs.Metadata.Annotations
	if a[AnnotationKubernetesID] != "backstage" || a[AnnotationSourceLocation] != "url:https://github.com/acme/platform/tree/develop/apps/backstage/base/" {
		t.Errorf("backstage annotations: %v", a)
	}
	// Each environment has its own namespace: no single kubernetes-namespace.
	if _, ok := a[AnnotationKubernetesNamespace]; ok || a[AnnotationNamespaces] != "dev=dev-backstage,staging=staging-backstage,production=production-backstage" {
		t.Errorf("backstage namespaces: %v", a)
	}
	want := []string{"resource:default/local", "resource:default/dev-local", "resource:default/staging-k3s",
		"resource:default/production-aws", "resource:default/production-azure"}
	if !slices.Equal(bs.Spec.DependsOn, want) || bs.Spec.Lifecycle != "production" || bs.Spec.System != "reference-platform" {
		t.Errorf("backstage spec: %+v", bs.Spec)
	}
	if aws := get("Resource", "aws"); aws.Spec.Type != TypeTerraformStack || aws.Metadata.Annotations[AnnotationEnvironments] != "production" {
		t.Errorf("aws stack: %+v", aws)
	}
	pa := get("Resource", "production-azure")
	if pa.Spec.Type != TypeKubernetesCluster || !slices.Equal(pa.Spec.DependsOn, []string{"resource:default/azure"}) ||
		pa.Metadata.Annotations[AnnotationKubeContext] != "prod-azure" {
		t.Errorf("production-azure: %+v", pa)
	}
	first, _ := Marshal(es)
	again, _ := Entities(p, Options{RepoURL: "https://github.com/acme/platform"})
	second, _ := Marshal(again)
	if !bytes.Equal(first, second) || !strings.HasPrefix(string(first), Header) {
		t.Error("two runs differ, or the header is missing")
	}
}

// TestSingleNamespace: a component whose objects land in one namespace in
// every environment gets backstage.io/kubernetes-namespace.
func TestSingleNamespace(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	write := func(rel, body string) {
		t.Helper()
		full := filepath.Join(dir, rel)
		if err := os.MkdirAll(filepath.Dir(full), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(full, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("m/cm.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c, namespace: shop}\n")
	write("ferry.yaml", `apiVersion: ferry.dev/v1alpha1
kind: Platform
metadata: {name: shop}
spec:
  catalog: {owner: "group:default/shop-team", server: "https://ferry.shop.example"}
  environments:
    - {name: dev, lane: develop, targets: [{name: kind, kube: {context: kind}}]}
    - {name: staging, lane: staging, targets: [{name: eks, kube: {context: eks}, components: [db]}]}
  components:
    - {name: web, type: manifests, path: m, lifecycle: experimental, description: The shop.}
    - {name: db, type: manifests, path: m, dependsOn: [web], inputs: {dev: {skip: true}}}
`)
	p, err := platform.Load(dir)
	if err != nil {
		t.Fatal(err)
	}
	es, err := Entities(p, Options{RepoURL: "https://gitlab.example.com/shop/platform"})
	if err != nil {
		t.Fatal(err)
	}
	web, db := es[1], es[2]
	if web.Metadata.Annotations[AnnotationKubernetesNamespace] != "shop" || web.Metadata.Annotations[AnnotationEnvironments] != "dev" ||
		web.Spec.Lifecycle != "experimental" || web.Spec.Owner != "group:default/shop-team" || web.Metadata.Description != "The shop." {
		t.Errorf("web: %+v", web)
	}
	if db.Metadata.Annotations[AnnotationEnvironments] != "staging" ||
		!slices.Equal(db.Spec.DependsOn, []string{"component:default/web", "resource:default/staging-eks"}) {
		t.Errorf("db (skipped in dev, the only component of staging's target): %+v", db)
	}
	if got := web.Metadata.Annotations[AnnotationSourceLocation]; got != "url:https://gitlab.example.com/shop/platform/-/tree/develop/m/" {
		t.Errorf("gitlab source location: %s", got)
	}
	requireValid(t, es)
}

func TestSourceLocation(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct{ repo, dir, want string }{
		{"https://github.com/a/b", "", "url:https://github.com/a/b/tree/develop/"},
		{"https://gitea.example.com/a/b", "apps/x", "url:https://gitea.example.com/a/b/src/branch/develop/apps/x/"},
		{"https://codeberg.org/a/b", "x", "url:https://codeberg.org/a/b/src/branch/develop/x/"},
		{"", "x", ""},
	} {
		got, ok := sourceLocation(tc.repo, "develop", tc.dir)
		if got != tc.want || ok != (tc.want != "") {
			t.Errorf("sourceLocation(%q, %q) = %q, %v; want %q", tc.repo, tc.dir, got, ok, tc.want)
		}
	}
}

// TestNameCollision: a stack named like an environment-target pair is
// refused with a clear error, not written twice.
func TestNameCollision(t *testing.T) {
	t.Parallel()
	p := reference(t)
	p.Spec.Components[0].Name = "dev-local" // the local stack
	_, err := Entities(p, Options{})
	if err == nil || !strings.Contains(err.Error(), `two resource entities are called "dev-local"`) {
		t.Fatalf("err = %v", err)
	}
}

var update = flag.Bool("update", false, "rewrite the reference platform's catalog-info.yaml")

// TestReferenceCatalogInfoIsCurrent: the reference platform's committed
// catalog-info.yaml (what ferry init writes) is exactly what ferry catalog
// generates from its ferry.yaml, with no remote (ferry init adds none).
// Regenerate with `go test ./internal/catalog -run CatalogInfo -update`
// or `ferry catalog --repo examples/platform --output
// examples/platform/catalog-info.yaml` outside a clone with a remote.
func TestReferenceCatalogInfoIsCurrent(t *testing.T) {
	t.Parallel()
	es, err := Entities(reference(t), Options{})
	if err != nil {
		t.Fatal(err)
	}
	want, err := Marshal(es)
	if err != nil {
		t.Fatal(err)
	}
	file := filepath.Join(referenceDir, "catalog-info.yaml")
	if *update {
		if err := os.WriteFile(file, want, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	got, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) {
		t.Fatalf("%s is stale: ferry.yaml changed and it was not regenerated (run with -update, or ferry catalog --output catalog-info.yaml)", file)
	}
}
