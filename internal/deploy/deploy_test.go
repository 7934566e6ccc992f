package deploy

import (
	"context"
	"errors"
	"log/slog"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"

	"ferry.dev/ferry/internal/flow"
	"ferry.dev/ferry/internal/platform"
	"ferry.dev/ferry/internal/store"
	"ferry.dev/ferry/internal/testenv"
)

func TestMain(m *testing.M) {
	if os.Getenv("FERRY_DEPLOY_CHILD") == "1" {
		os.Exit(runChild())
	}
	testenv.Main(m)
}

func clientset(t *testing.T) kubernetes.Interface {
	return testenv.ControlPlaneFor(t).Client()
}

func availableReplicas(t *testing.T, ns, name string) int32 {
	t.Helper()
	d, err := clientset(t).AppsV1().Deployments(ns).Get(context.Background(), name, metav1.GetOptions{})
	if err != nil {
		t.Fatalf("get deployment %s/%s: %v", ns, name, err)
	}
	return d.Status.AvailableReplicas
}

func gitRun(t *testing.T, dir string, args ...string) string {
	t.Helper()
	return testenv.GitRun(t, dir, args...)
}

// TestSyncReferenceDev is issue 5's "must hold" on the reference platform:
// dev syncs end to end (terraform applies, apps land and become Available),
// a second sync changes nothing, removing an app prunes it, and a rollback
// to the previous tag restores it.
func TestSyncReferenceDev(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	opts := f.opts(t)

	rep, err := Sync(ctx, f.platform(t), "dev", "", opts)
	if err != nil {
		t.Fatalf("first sync: %v", err)
	}
	if rep.Status != store.StatusSucceeded || rep.Version != "v0.1.0" || len(rep.Targets) != 1 {
		t.Fatalf("first sync report: %+v", rep)
	}
	comps := rep.Targets[0].Components
	if comps[0].Component != "local" || comps[0].Terraform == nil || comps[0].Terraform.Add == 0 {
		t.Fatalf("local stack did not apply first: %+v", comps[0])
	}
	if got := availableReplicas(t, "dev-sample-service", "sample-service"); got < 1 {
		t.Fatalf("sample-service not available after sync: %d", got)
	}
	cm, err := clientset(t).CoreV1().ConfigMaps("dev-sample-service").Get(ctx, "ferry-exports-local", metav1.GetOptions{})
	if err != nil || cm.Data["cluster_name"] != "ferry-dev" || cm.Data["namespace_prefix"] != "dev-" {
		t.Fatalf("exports of the local stack: %v %v", cm.Data, err)
	}
	d, err := f.st.Deployment(ctx, rep.DeploymentID)
	if err != nil || d.Status != store.StatusSucceeded || !d.Healthy || !d.Verified || len(d.Inventory) == 0 {
		t.Fatalf("recorded deployment: %+v %v", d, err)
	}
	// Its object changes: the stack's resources and the objects, created.
	if !hasChange(d.Changes, "local", "terraform_data.", "create") ||
		!hasChange(d.Changes, "sample-service", "apps/v1/Deployment/dev-sample-service/sample-service", "create") ||
		d.ChangesTotal != len(d.Changes) {
		t.Fatalf("recorded changes of the first sync (%d): %+v", d.ChangesTotal, d.Changes)
	}

	// A second sync changes nothing; plan agrees.
	rep, err = Sync(ctx, f.platform(t), "dev", "", opts)
	if err != nil || rep.Changed() {
		t.Fatalf("second sync changed something: %v %+v", err, rep)
	}
	plan, err := Plan(ctx, f.platform(t), "dev", "", opts)
	if err != nil || plan.Changed() {
		t.Fatalf("plan after sync shows changes: %v %+v", err, plan)
	}

	// Remove sample-service from dev: plan shows the prune, sync does it.
	gitRun(t, f.dir, "checkout", "-q", "develop")
	y, err := os.ReadFile(filepath.Join(f.dir, "ferry.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	old := "        dev:\n          path: apps/sample-service/overlays/dev\n"
	if !strings.Contains(string(y), old) {
		t.Fatal("reference ferry.yaml changed shape; update the test")
	}
	writeFile(t, filepath.Join(f.dir, "ferry.yaml"), strings.Replace(string(y), old, "        dev:\n          skip: true\n", 1))
	gitRun(t, f.dir, "commit", "-qam", "feat: drop sample-service from dev")
	plan, err = Plan(ctx, f.platform(t), "dev", "", opts)
	if err != nil || !plan.Changed() {
		t.Fatalf("plan does not show the removal: %v %+v", err, plan)
	}
	removal, err := Sync(ctx, f.platform(t), "dev", "", opts)
	if err != nil {
		t.Fatalf("sync after removal: %v", err)
	}
	if d, err := f.st.Deployment(ctx, removal.DeploymentID); err != nil ||
		!hasChange(d.Changes, "sample-service", "apps/v1/Deployment/dev-sample-service/sample-service", "prune") {
		t.Fatalf("the removal's recorded changes: %+v %v", d.Changes, err)
	}
	_, err = clientset(t).AppsV1().Deployments("dev-sample-service").Get(ctx, "sample-service", metav1.GetOptions{})
	if !apierrors.IsNotFound(err) {
		t.Fatalf("sample-service not pruned: %v", err)
	}

	// Roll dev back to v0.1.0: the rollback commit, then a sync of it.
	e, err := flow.Open(ctx, f.dir, flow.Options{Store: f.st})
	if err != nil {
		t.Fatal(err)
	}
	rb, err := e.Rollback(ctx, "dev", "v0.1.0")
	if err != nil {
		t.Fatal(err)
	}
	rep, err = Sync(ctx, f.platform(t), "dev", rb.Commit, opts)
	if err != nil {
		t.Fatalf("sync of the rollback: %v", err)
	}
	if got := availableReplicas(t, "dev-sample-service", "sample-service"); got < 1 {
		t.Fatalf("sample-service not restored by the rollback: %d", got)
	}
	hist, err := History(ctx, f.st, "dev", 10)
	if err != nil || len(hist) != 4 || hist[0].Revision != rb.Commit {
		t.Fatalf("history: %v %+v", err, hist)
	}
	st, err := Status(ctx, f.platform(t), "dev", opts, true)
	if err != nil || len(st) != 1 || !st[0].Healthy || st[0].Drift || st[0].Revision != rb.Commit {
		t.Fatalf("status: %v %+v", err, st)
	}
}

// TestUnreachableClusterFails: a target whose cluster does not answer is a
// failed deployment with the reason, and nothing after it runs.
func TestUnreachableClusterFails(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	opts := f.opts(t)
	bad := filepath.Join(t.TempDir(), "kubeconfig")
	writeFile(t, bad, `apiVersion: v1
kind: Config
clusters: [{name: c, cluster: {server: "https://127.0.0.1:1"}}]
contexts: [{name: ferry-local, context: {cluster: c, user: u}}]
current-context: ferry-local
users: [{name: u, user: {token: not-a-real-token-123}}]
`)
	f.kubeconfig = bad
	rep, err := Sync(ctx, f.platform(t), "staging", "", opts)
	if !errors.Is(err, ErrFailed) || rep == nil || rep.Status != store.StatusFailed {
		t.Fatalf("sync against an unreachable cluster: %v %+v", err, rep)
	}
	if strings.Contains(err.Error(), "not-a-real-token") {
		t.Fatalf("credential in error: %v", err)
	}
	if IsTerminal(err) {
		t.Errorf("an unreachable cluster is transient (the agent retries it), got terminal: %v", err)
	}
	comps := rep.Targets[0].Components
	last := comps[len(comps)-1]
	if last.Status != store.StatusFailed || !strings.Contains(last.Error, "unreachable") || len(comps) != 2 {
		t.Fatalf("want local applied then the first app failed and nothing after: %+v", comps)
	}
	d, _ := f.st.Deployment(ctx, rep.DeploymentID)
	if d.Status != store.StatusFailed || !strings.Contains(d.Summary, "unreachable") {
		t.Fatalf("recorded: %+v", d)
	}
}

// TestKill9DuringSync kills a syncing ferry process with SIGKILL: the lock
// expires, the deployment is never recorded successful (aborted on the next
// run) and the next sync completes.
func TestKill9DuringSync(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), "FERRY_DEPLOY_CHILD=1", "FERRY_CHILD_DIR="+f.dir,
		"FERRY_CHILD_KUBECONFIG="+f.kubeconfig, "FERRY_CHILD_STORE="+f.stDSN)
	out := &strings.Builder{}
	cmd.Stdout, cmd.Stderr = out, out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	var killed store.Deployment
	deadline := time.Now().Add(2 * time.Minute)
	for killed.ID == 0 {
		if time.Now().After(deadline) {
			_ = cmd.Process.Kill()
			t.Fatalf("child never started a deployment:\n%s", out)
		}
		ds, err := f.st.Deployments(ctx, store.DeploymentFilter{Env: "staging", Status: store.StatusRunning})
		if err != nil {
			t.Fatal(err)
		}
		if len(ds) > 0 {
			killed = ds[0]
		}
		time.Sleep(20 * time.Millisecond)
	}
	time.Sleep(1500 * time.Millisecond) // let it get into terraform or the apply
	if err := cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	_ = cmd.Wait()
	t.Logf("child output:\n%s", out)
	if _, err := f.st.AcquireLock(ctx, store.EnvLockName("staging"), "intruder", time.Minute); !errors.Is(err, store.ErrLocked) {
		t.Fatalf("lock of the killed sync not held right after the kill: %v", err)
	}
	opts := f.opts(t)
	var rep *Report
	var err error
	for start := time.Now(); time.Since(start) < 30*time.Second; time.Sleep(500 * time.Millisecond) {
		rep, err = Sync(ctx, f.platform(t), "staging", "", opts)
		if !errors.Is(err, store.ErrLocked) {
			break
		}
	}
	if err != nil || rep.Status != store.StatusSucceeded {
		t.Fatalf("sync after the kill: %v", err)
	}
	got, err := f.st.Deployment(ctx, killed.ID)
	if err != nil || got.Status != store.StatusAborted {
		t.Fatalf("killed deployment recorded as %q (%v), want aborted", got.Status, err)
	}
}

// runChild is the process TestKill9DuringSync kills: a plain staging sync
// with a short lock TTL.
func runChild() int {
	ctx := context.Background()
	p, err := platform.Load(os.Getenv("FERRY_CHILD_DIR"))
	if err != nil {
		return 3
	}
	st, err := store.OpenSQLite(ctx, os.Getenv("FERRY_CHILD_STORE"))
	if err != nil {
		return 3
	}
	f := &fixture{kubeconfig: os.Getenv("FERRY_CHILD_KUBECONFIG")}
	_, err = Sync(ctx, p, "staging", "", Options{
		Store: st, Actor: "child", Log: slog.New(slog.NewTextHandler(os.Stderr, nil)), LockTTL: 3 * time.Second,
		StateDir: filepath.Join(p.Dir, ".ferry"), Connect: f.connect,
	})
	if err != nil {
		return 1
	}
	return 0
}

// TestPolicyDeniesTerraformPlan: a team policy that denies the plan stops
// the deployment before the apply, with the policy's message.
func TestPolicyDeniesTerraformPlan(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	gitRun(t, f.dir, "checkout", "-q", "develop")
	writeFile(t, filepath.Join(f.dir, "policies", "frozen.rego"), `package main

import rego.v1

deny contains msg if {
	some rc in input.resource_changes
	rc.type == "terraform_data"
	"create" in rc.change.actions
	msg := sprintf("%s: terraform_data is frozen", [rc.address])
}
`)
	gitRun(t, f.dir, "add", "policies/frozen.rego")
	gitRun(t, f.dir, "commit", "-qm", "chore: freeze terraform_data")
	rep, err := Sync(ctx, f.platform(t), "dev", "", f.opts(t))
	if !errors.Is(err, ErrFailed) || rep == nil {
		t.Fatalf("sync with a denying policy: %v", err)
	}
	c := rep.Targets[0].Components
	if len(c) != 1 || c[0].Component != "local" || !strings.Contains(c[0].Error, "terraform_data is frozen") {
		t.Fatalf("want the local stack denied and nothing after it: %+v", c)
	}
	if !IsTerminal(err) {
		t.Errorf("a policy denial must not be retried at the same revision: %v", err)
	}
	plan, err := Plan(ctx, f.platform(t), "dev", "", f.opts(t))
	if err != nil || plan.Targets[0].Components[0].Terraform.Add == 0 {
		t.Fatalf("the denied plan was applied: %v %+v", err, plan)
	}
}

// TestCancelledSyncIsAborted: a sync whose context ends mid-way (ferry
// serve's grace period running out, Ctrl-C) is recorded aborted, not
// failed, and its lock is free for the next sync.
func TestCancelledSyncIsAborted(t *testing.T) {
	f := newFixture(t)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	opts := f.opts(t)
	opts.Log = slog.New(cancelOn{"local/local: syncing", cancel, opts.Log.Handler()})
	rep, err := Sync(ctx, f.platform(t), "dev", "", opts)
	if err == nil || rep == nil {
		t.Fatalf("cancelled sync: %v %+v", err, rep)
	}
	d, err := f.st.Deployment(context.Background(), rep.DeploymentID)
	if err != nil || d.Status != store.StatusAborted {
		t.Fatalf("recorded %+v (%v), want aborted", d, err)
	}
	if _, err := Sync(context.Background(), f.platform(t), "dev", "", f.opts(t)); err != nil {
		t.Fatalf("the next sync: %v", err)
	}
}

// cancelOn cancels when a log message starts with prefix.
type cancelOn struct {
	prefix string
	cancel context.CancelFunc
	slog.Handler
}

func (c cancelOn) Handle(ctx context.Context, r slog.Record) error {
	if strings.HasPrefix(r.Message, c.prefix) {
		c.cancel()
	}
	return c.Handler.Handle(ctx, r)
}

func (c cancelOn) WithAttrs(as []slog.Attr) slog.Handler {
	return cancelOn{c.prefix, c.cancel, c.Handler.WithAttrs(as)}
}

// hasChange: changes hold an object of component whose name starts with
// prefix, with action.
func hasChange(changes []store.ObjectChange, component, prefix, action string) bool {
	for _, c := range changes {
		if c.Component == component && strings.HasPrefix(c.Object, prefix) && c.Action == action {
			return true
		}
	}
	return false
}
