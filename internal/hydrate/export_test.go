package hydrate_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/client-go/dynamic"
	"sigs.k8s.io/yaml"

	"ferry.dev/ferry/internal/hydrate"
	"ferry.dev/ferry/internal/testenv"
)

var crdGVR = schema.GroupVersionResource{Group: "apiextensions.k8s.io", Version: "v1", Resource: "customresourcedefinitions"}

// installCRDs applies the Argo CD and Flux CRDs setup took from their
// modules (bin/crds) to the shared control plane and waits until the API
// server serves them.
func installCRDs(t *testing.T) dynamic.Interface {
	t.Helper()
	cp := testenv.ControlPlaneFor(t)
	dyn, err := dynamic.NewForConfig(cp.RESTConfig())
	if err != nil {
		t.Fatal(err)
	}
	bin, err := testenv.BinDir()
	if err != nil {
		t.Fatal(err)
	}
	files, _ := filepath.Glob(filepath.Join(bin, "crds", "*", "*.yaml"))
	if len(files) < 4 {
		msg := "the Argo CD and Flux CRDs are not in " + filepath.Join(bin, "crds") + ": run make setup"
		if os.Getenv("CI") == "true" {
			t.Fatal(msg)
		}
		t.Skip(msg)
	}
	ctx := context.Background()
	var names []string
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		var crd unstructured.Unstructured
		if err := yaml.Unmarshal(data, &crd.Object); err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		if _, err := dyn.Resource(crdGVR).Apply(ctx, crd.GetName(), &crd, metav1.ApplyOptions{FieldManager: "ferry-test", Force: true}); err != nil {
			t.Fatalf("apply CRD %s: %v", crd.GetName(), err)
		}
		names = append(names, crd.GetName())
	}
	deadline := time.Now().Add(30 * time.Second)
	for _, n := range names {
		for !established(ctx, dyn, n) {
			if time.Now().After(deadline) {
				t.Fatalf("CRD %s not established in 30s", n)
			}
			time.Sleep(50 * time.Millisecond)
		}
	}
	for _, ns := range []string{"argocd", "flux-system"} {
		obj := &unstructured.Unstructured{Object: map[string]any{"apiVersion": "v1", "kind": "Namespace", "metadata": map[string]any{"name": ns}}}
		gvr := schema.GroupVersionResource{Version: "v1", Resource: "namespaces"}
		if _, err := dyn.Resource(gvr).Apply(ctx, ns, obj, metav1.ApplyOptions{FieldManager: "ferry-test", Force: true}); err != nil {
			t.Fatal(err)
		}
	}
	return dyn
}

func established(ctx context.Context, dyn dynamic.Interface, name string) bool {
	u, err := dyn.Resource(crdGVR).Get(ctx, name, metav1.GetOptions{})
	if err != nil {
		return false
	}
	conds, _, _ := unstructured.NestedSlice(u.Object, "status", "conditions")
	for _, c := range conds {
		m, _ := c.(map[string]any)
		if m["type"] == "Established" && m["status"] == "True" {
			return true
		}
	}
	return false
}

func gvrOf(o *unstructured.Unstructured) schema.GroupVersionResource {
	gv, _ := schema.ParseGroupVersion(o.GetAPIVersion())
	resources := map[string]string{"Application": "applications", "ApplicationSet": "applicationsets",
		"GitRepository": "gitrepositories", "Kustomization": "kustomizations"}
	return gv.WithResource(resources[o.GetKind()])
}

// create stores o through the API server: the CRD's OpenAPI schema judges
// it (unknown fields and wrong types are refused).
func create(ctx context.Context, dyn dynamic.Interface, o *unstructured.Unstructured) error {
	_, err := dyn.Resource(gvrOf(o)).Namespace(o.GetNamespace()).Create(ctx, o, metav1.CreateOptions{FieldValidation: "Strict"})
	return err
}

// TestExportMatchesCRDs: every object ferry export writes for the
// reference platform is accepted, with strict field validation, by an API
// server serving Argo CD's and Flux's own CRDs; a broken one is refused,
// so the check is real.
func TestExportMatchesCRDs(t *testing.T) {
	dyn := installCRDs(t)
	p, _ := refPlatform(t)
	ctx := context.Background()
	opts := hydrate.ExportOptions{RepoURL: "https://git.example.com/platform.git"}
	apps, err := hydrate.ArgoCD(p, opts)
	if err != nil {
		t.Fatal(err)
	}
	set, err := hydrate.ArgoCD(p, hydrate.ExportOptions{RepoURL: opts.RepoURL, ApplicationSet: true})
	if err != nil {
		t.Fatal(err)
	}
	flux, err := hydrate.Flux(p, hydrate.ExportOptions{RepoURL: opts.RepoURL, KubeconfigSecrets: true})
	if err != nil {
		t.Fatal(err)
	}
	// dev, staging and production's two clouds.
	if len(apps) != 4 || len(set) != 1 || len(flux) != 3+4 {
		t.Fatalf("%d applications, %d sets, %d flux objects", len(apps), len(set), len(flux))
	}
	for _, o := range append(append(apps, set...), flux...) {
		if err := create(ctx, dyn, o); err != nil {
			t.Errorf("%s %s refused: %v", o.GetKind(), o.GetName(), err)
		}
	}
	// Rollout order: azure waits for aws.
	for _, o := range flux {
		if o.GetName() == p.Metadata.Name+"-production-azure" {
			deps, _, _ := unstructured.NestedSlice(o.Object, "spec", "dependsOn")
			if len(deps) != 1 || deps[0].(map[string]any)["name"] != p.Metadata.Name+"-production-aws" {
				t.Errorf("azure's Kustomization depends on %v", deps)
			}
		}
	}
	broken := apps[0].DeepCopy()
	broken.SetName("broken")
	unstructured.SetNestedField(broken.Object, "yes", "spec", "syncPolicy", "automated", "prune")
	if err := create(ctx, dyn, broken); !apierrors.IsInvalid(err) {
		t.Fatalf("an Application with prune: \"yes\" gave %v, want Invalid", err)
	}
	brokenFlux := flux[1].DeepCopy()
	brokenFlux.SetName("broken")
	unstructured.SetNestedField(brokenFlux.Object, "somewhere", "spec", "sourcRef")
	if err := create(ctx, dyn, brokenFlux); err == nil || !(apierrors.IsInvalid(err) || apierrors.IsBadRequest(err)) {
		t.Fatalf("a Kustomization with an unknown field gave %v, want refused", err)
	}
	if _, err := hydrate.Flux(p, hydrate.ExportOptions{}); err == nil || !strings.Contains(err.Error(), "repository URL") {
		t.Fatalf("no URL: %v", err)
	}
	if _, err := hydrate.ArgoCD(p, hydrate.ExportOptions{RepoURL: opts.RepoURL, Envs: []string{"nope"}}); err == nil {
		t.Fatal("an unknown environment was exported")
	}
}
