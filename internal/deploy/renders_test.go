package deploy

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"

	"ferry.dev/ferry/internal/platform"
	"ferry.dev/ferry/internal/store"
	"ferry.dev/ferry/internal/testenv"
)

// kubeOnlyYAML is a platform without Terraform: a cache entry covers all
// it needs.
const kubeOnlyYAML = `apiVersion: ferry.dev/v1alpha1
kind: Platform
metadata:
  name: rcache
spec:
  lanes:
    - name: develop
  environments:
    - name: rcache
      lane: develop
      healthTimeout: 1m
      targets:
        - name: local
          kube:
            context: ferry-local
  components:
    - name: app
      type: kustomize
      path: app
      namespace: rcache
  checks:
    policyDirs: []
`

func kubeOnlyRepo(t *testing.T, value string) string {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "platform")
	testenv.GitRun(t, t.TempDir(), "init", "-q", "-b", "develop", dir)
	files := map[string]string{
		"ferry.yaml":             kubeOnlyYAML,
		"app/kustomization.yaml": "resources: [namespace.yaml, configmap.yaml]\n",
		"app/namespace.yaml":     "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: rcache\n",
		"app/configmap.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: app\n  namespace: rcache\n" +
			"data:\n  value: " + value + "\n  replicas: \"3\"\n",
	}
	for path, content := range files {
		if err := os.MkdirAll(filepath.Dir(filepath.Join(dir, path)), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, path), []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	testenv.GitRun(t, dir, "add", "-A")
	testenv.GitRun(t, dir, "commit", "-qm", "feat: app")
	return dir
}

// breakWorktrees makes every new worktree of the repository fail (a file
// where ferry's worktree directory goes), so a call that still works read
// nothing from the files.
func breakWorktrees(t *testing.T, dir string) {
	t.Helper()
	path := filepath.Join(dir, ".git", "ferry-worktrees")
	if err := os.RemoveAll(path); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte("not a directory"), 0o644); err != nil {
		t.Fatal(err)
	}
}

// TestRenderCacheServesDriftAndHeal: after a sync with a cache, the drift
// check and the heal of the deployed revision need neither a checkout nor a
// render, and still see (and undo) a hand edit.
func TestRenderCacheServesDriftAndHeal(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	dir := kubeOnlyRepo(t, "one")
	p, err := platform.Load(dir)
	if err != nil {
		t.Fatal(err)
	}
	opts := f.opts(t)
	opts.StateDir = filepath.Join(dir, ".ferry")
	opts.Renders = NewRenderCache(4)
	rep, err := Sync(ctx, p, "rcache", "", opts)
	if err != nil || !rep.Verified {
		t.Fatalf("sync: %v %+v", err, rep)
	}
	breakWorktrees(t, dir)
	without := opts
	without.Renders = nil
	if ts, err := Drift(ctx, p, "rcache", without); err == nil && (len(ts) == 0 || ts[0].Error == "") {
		t.Fatalf("a drift check without the cache worked with worktrees broken: %+v", ts)
	}

	ts, err := Drift(ctx, p, "rcache", opts)
	if err != nil || len(ts) != 1 || ts[0].Error != "" || ts[0].Drift {
		t.Fatalf("drift check from the cache: %v %+v", err, ts)
	}
	cms := clientset(t).CoreV1().ConfigMaps("rcache")
	cm, err := cms.Get(ctx, "app", metav1.GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	cm.Data["value"] = "edited-by-hand"
	if _, err := cms.Update(ctx, cm, metav1.UpdateOptions{FieldManager: "kubectl-edit"}); err != nil {
		t.Fatal(err)
	}
	ts, err = Drift(ctx, p, "rcache", opts)
	if err != nil || len(ts) != 1 || ts[0].Error != "" || !ts[0].Drift || ts[0].DriftObjects != 1 {
		t.Fatalf("the cached drift check missed a hand edit: %v %+v", err, ts)
	}
	rep, err = Sync(ctx, p, "rcache", rep.Revision, opts)
	if err != nil || rep.Status != store.StatusSucceeded || !rep.Verified {
		t.Fatalf("heal from the cache: %v %+v", err, rep)
	}
	if cm, err := cms.Get(ctx, "app", metav1.GetOptions{}); err != nil || cm.Data["value"] != "one" || cm.Data["replicas"] != "3" {
		t.Fatalf("after the heal: %v %v", cm.Data, err)
	}
}

// TestRenderCacheEntries: what a tree rendered is kept per (revision,
// environment), every get is the caller's own copy, the least recently
// used entry goes first, and platforms with remote sources are not kept.
func TestRenderCacheEntries(t *testing.T) {
	testenv.GitIsolate(t)
	dir := kubeOnlyRepo(t, "one")
	p, err := platform.Load(dir)
	if err != nil {
		t.Fatal(err)
	}
	cache := NewRenderCache(1)
	comp := p.Spec.Components[0]
	tr := newTree(dir, "rev1", "rcache", p, cache)
	objs, err := tr.render(p, comp)
	if err != nil || len(objs) != 2 {
		t.Fatalf("render: %v %d objects", err, len(objs))
	}
	objs[1].SetLabels(map[string]string{"changed": "by-the-caller"})
	again, err := tr.render(p, comp)
	if l := again[1].GetLabels(); err != nil || l["changed"] != "" || l["backstage.io/kubernetes-id"] != comp.Name {
		t.Fatalf("a second get shares the first caller's changes: %v %v", err, again[1].GetLabels())
	}
	if _, _, ok := cache.covered("rev1", "rcache"); ok {
		t.Fatal("covered before the tree was kept")
	}
	cache.keep(tr, platformFile(dir))
	covered, cp, ok := cache.covered("rev1", "rcache")
	if !ok || covered.dir != "" || cp.Metadata.Name != "rcache" {
		t.Fatalf("not covered after keep: %v %+v", ok, covered)
	}
	got, err := covered.render(cp, comp)
	if err != nil || len(got) != 2 || got[1].GetKind() != "ConfigMap" {
		t.Fatalf("render from the cache: %v %v", err, got)
	}
	if v, _, _ := unstructured.NestedString(got[1].Object, "data", "value"); v != "one" {
		t.Fatalf("cached value %q", v)
	}

	other := newTree(dir, "rev2", "rcache", p, cache)
	if _, err := other.render(p, comp); err != nil {
		t.Fatal(err)
	}
	cache.keep(other, platformFile(dir))
	if _, _, ok := cache.covered("rev1", "rcache"); ok {
		t.Fatal("a cache of one entry kept two")
	}
	if _, _, ok := cache.covered("rev2", "rcache"); !ok {
		t.Fatal("the newest entry is gone")
	}

	remote := *p
	remote.Spec.Security.AllowRemoteBases = true
	rt := newTree(dir, "rev3", "rcache", &remote, cache)
	if _, err := rt.render(&remote, comp); err != nil {
		t.Fatal(err)
	}
	cache.keep(rt, platformFile(dir))
	if _, _, ok := cache.covered("rev3", "rcache"); ok {
		t.Fatal("a platform with remote bases was cached")
	}
	if !strings.Contains(string(platformFile(dir)), "rcache") {
		t.Fatal("platformFile read nothing")
	}
}
