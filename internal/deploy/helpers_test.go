package deploy

import (
	"context"
	"os"
	"path/filepath"
	"testing"

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
		Progress: testWriter{t},
		StateDir: filepath.Join(f.dir, ".ferry"),
		Connect:  f.connect,
	}
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
