package deploy

import (
	"context"
	"log/slog"
	"time"

	"os"
	"path/filepath"
	"testing"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"k8s.io/client-go/tools/clientcmd"
	clientcmdapi "k8s.io/client-go/tools/clientcmd/api"

	"ferry.dev/ferry/internal/kube"
	"ferry.dev/ferry/internal/platform"
	"ferry.dev/ferry/internal/scaffold"
	"ferry.dev/ferry/internal/store"
	"ferry.dev/ferry/internal/testenv"
)

// fixture is the reference platform in a fresh Git repository, a store and
// a kubeconfig whose context "ferry-local" (the reference platform's dev
// and staging context) points at the harness control plane.
type fixture struct {
	dir        string
	kubeconfig string
	st         store.Store
	stDSN      string
}

func newFixture(t *testing.T) *fixture {
	t.Helper()
	testenv.GitIsolate(t)
	cp := testenv.ControlPlaneFor(t)
	dumpOnFailure(t)
	testenv.TerraformBin(t)
	dir := filepath.Join(t.TempDir(), "platform")
	if _, err := scaffold.Init(context.Background(), dir, false); err != nil {
		t.Fatal(err)
	}
	f := &fixture{dir: dir, kubeconfig: localKubeconfig(t, cp.Kubeconfig, cp.Context)}
	f.stDSN = filepath.Join(t.TempDir(), "state.db")
	st, err := store.OpenSQLite(context.Background(), f.stDSN)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	f.st = st
	return f
}

// localKubeconfig copies the harness kubeconfig with its context renamed
// to ferry-local.
func localKubeconfig(t *testing.T, path, ctxName string) string {
	t.Helper()
	cfg, err := clientcmd.LoadFromFile(path)
	if err != nil {
		t.Fatal(err)
	}
	c := cfg.Contexts[ctxName]
	cfg.Contexts = map[string]*clientcmdapi.Context{"ferry-local": c}
	cfg.CurrentContext = "ferry-local"
	out := filepath.Join(t.TempDir(), "kubeconfig")
	if err := clientcmd.WriteToFile(*cfg, out); err != nil {
		t.Fatal(err)
	}
	return out
}

func (f *fixture) opts(t *testing.T) Options {
	return Options{
		Store:    f.st,
		Actor:    "test",
		Log:      slog.New(slog.NewTextHandler(testWriter{t}, nil)),
		StateDir: filepath.Join(f.dir, ".ferry"),
		Connect:  f.connect,
		// The reference platform waits up to 5m; a healthy rollout here
		// takes seconds, so fail faster.
		HealthTimeout: 90 * time.Second,
	}
}

// dumpOnFailure logs Deployments, Pods and Nodes when the test fails.
func dumpOnFailure(t *testing.T) {
	cs := testenv.ControlPlaneFor(t).Client()
	t.Cleanup(func() {
		if !t.Failed() {
			return
		}
		ctx := context.Background()
		ds, _ := cs.AppsV1().Deployments("").List(ctx, metav1.ListOptions{})
		for _, d := range ds.Items {
			t.Logf("deployment %s/%s gen %d obs %d: %+v", d.Namespace, d.Name, d.Generation, d.Status.ObservedGeneration, d.Status)
		}
		ps, _ := cs.CoreV1().Pods("").List(ctx, metav1.ListOptions{})
		for _, p := range ps.Items {
			t.Logf("pod %s/%s node %q phase %s conds %+v", p.Namespace, p.Name, p.Spec.NodeName, p.Status.Phase, p.Status.Conditions)
		}
		if b, err := os.ReadFile(testenv.ControlPlaneFor(t).LogPath("kube-controller-manager")); err == nil {
			_ = os.WriteFile(filepath.Join(os.TempDir(), "ferry-deploy-kcm.log"), b, 0o644)
			t.Logf("controller-manager log copied to %s", filepath.Join(os.TempDir(), "ferry-deploy-kcm.log"))
		}
		ns, _ := cs.CoreV1().Nodes().List(ctx, metav1.ListOptions{})
		for _, n := range ns.Items {
			t.Logf("node %s conds %+v", n.Name, n.Status.Conditions)
		}
	})
}

func (f *fixture) connect(t platform.Target, allowExec bool) (*kube.Client, error) {
	return kube.Connect(kube.Options{Kubeconfig: f.kubeconfig, Context: t.Kube.Context, AllowExecPlugins: allowExec})
}

func (f *fixture) platform(t *testing.T) *platform.Platform {
	t.Helper()
	p, err := platform.Load(f.dir)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

type testWriter struct{ t *testing.T }

func (w testWriter) Write(b []byte) (int, error) {
	w.t.Helper()
	w.t.Log(string(b[:len(b)-min(1, len(b))]))
	return len(b), nil
}

func writeFile(t *testing.T, path, content string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}
