package deploy

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"ferry.dev/ferry/internal/store"
)

// TestRollbackOnFailure: with rollbackOnFailure, a target whose sync fails
// after a good deployment (here a rollout that never becomes healthy: its
// pods select no node) is returned to the last good revision, and the
// deployment is recorded failed with the rollback in its summary.
func TestRollbackOnFailure(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	gitRun(t, f.dir, "checkout", "-q", "develop")
	editFile(t, filepath.Join(f.dir, "ferry.yaml"),
		"      healthTimeout: 5m\n      targets:\n        - name: local\n",
		"      healthTimeout: 5m\n      rollbackOnFailure: true\n      targets:\n        - name: local\n")
	gitRun(t, f.dir, "commit", "-qam", "chore: roll dev back on failure")
	good, err := Sync(ctx, f.platform(t), "dev", "", f.opts(t))
	if err != nil || good.Status != store.StatusSucceeded {
		t.Fatalf("good sync: %v %+v", err, good)
	}

	// A bad revision: a changed ConfigMap value and a Deployment whose new
	// pods can never be scheduled.
	overlay := filepath.Join(f.dir, "apps", "sample-service", "overlays", "dev", "kustomization.yaml")
	editFile(t, overlay, "        value: debug\n", "        value: info\n")
	editFile(t, overlay, "        path: /spec/replicas\n        value: 1\n",
		"        path: /spec/replicas\n        value: 1\n"+
			"      - op: add\n        path: /spec/template/spec/nodeSelector\n        value: {ferry.dev/no-such-node: \"true\"}\n")
	gitRun(t, f.dir, "commit", "-qam", "feat: unschedulable sample-service")
	opts := f.opts(t)
	opts.HealthTimeout = 20 * time.Second
	rep, err := Sync(ctx, f.platform(t), "dev", "", opts)
	if !errors.Is(err, ErrFailed) || rep == nil {
		t.Fatalf("bad sync: want ErrFailed, got %v", err)
	}
	if rep.Status != store.StatusFailed || rep.RolledBack != good.Revision || rep.Revision == good.Revision {
		t.Fatalf("bad sync report: status %s rolled back to %q (good %q) at %q: %s",
			rep.Status, rep.RolledBack, good.Revision, rep.Revision, rep.Error)
	}

	d, err := f.st.Deployment(ctx, rep.DeploymentID)
	if err != nil || d.Status != store.StatusFailed || d.Healthy || d.Revision != rep.Revision ||
		!strings.Contains(d.Summary, "rolled back to "+short(good.Revision)) {
		t.Fatalf("recorded deployment: %+v %v", d, err)
	}
	dep, err := clientset(t).AppsV1().Deployments("dev-sample-service").Get(ctx, "sample-service", metav1.GetOptions{})
	if err != nil || len(dep.Spec.Template.Spec.NodeSelector) != 0 {
		t.Fatalf("deployment not returned to the good revision: %v %v", err, dep.Spec.Template.Spec.NodeSelector)
	}
	if got := availableReplicas(t, "dev-sample-service", "sample-service"); got < 1 {
		t.Fatalf("sample-service not available after the rollback: %d", got)
	}
	cm, err := clientset(t).CoreV1().ConfigMaps("dev-sample-service").Get(ctx, "sample-service", metav1.GetOptions{})
	if err != nil || cm.Data["LOG_LEVEL"] != "debug" {
		t.Fatalf("configmap not returned to the good revision: %v %v", err, cm.Data)
	}
}

// editFile replaces the one occurrence of old in path with new.
func editFile(t *testing.T, path, old, new string) {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Count(string(b), old) != 1 {
		t.Fatalf("%s: want exactly one %q; the reference platform changed shape, update the test", path, old)
	}
	writeFile(t, path, strings.Replace(string(b), old, new, 1))
}
