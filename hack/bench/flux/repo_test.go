package fluxbench

import (
	"fmt"
	"net/http/cgi"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"ferry.dev/ferry/internal/testenv"
)

// repo is a platform repository both tools read: a bare remote served
// over smart HTTP, and a work tree that pushes to it (on disk, so the
// remote's post-receive hook runs).
type repo struct {
	bare, clone, url string
}

// newRepo creates the repository for one scenario: ferry.yaml (one
// environment, env, on lane develop, applying the overlay into ferry's
// namespace) and config/, a kustomize overlay of n ConfigMaps named
// cm-00000… plus the ConfigMap "bench" a push changes. Objects carry no
// namespace: ferry's component and Flux's targetNamespace set it.
func newRepo(b testing.TB, env string, n int, driftInterval string) *repo {
	b.Helper()
	r := &repo{bare: testenv.GitRemote(b)}
	r.clone = testenv.GitClone(b, r.bare)
	write := func(path, content string) {
		full := filepath.Join(r.clone, path)
		if err := os.MkdirAll(filepath.Dir(full), 0o755); err != nil {
			b.Fatal(err)
		}
		if err := os.WriteFile(full, []byte(content), 0o644); err != nil {
			b.Fatal(err)
		}
	}
	write("ferry.yaml", ferryYAML(env, driftInterval))
	resources := "  - bench.yaml\n"
	write("config/bench.yaml", benchConfigMap("0"))
	if n > 0 {
		var docs strings.Builder
		for i := range n {
			fmt.Fprintf(&docs, "---\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cm-%05d\ndata:\n  value: %q\n", i, strconv.Itoa(i))
		}
		write("config/configmaps.yaml", docs.String())
		resources += "  - configmaps.yaml\n"
	}
	write("config/kustomization.yaml", "apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nresources:\n"+resources)
	testenv.GitRun(b, r.clone, "checkout", "-q", "-b", "develop")
	testenv.GitRun(b, r.clone, "add", "-A")
	testenv.GitRun(b, r.clone, "commit", "-qm", "feat: bench platform")
	testenv.GitRun(b, r.clone, "push", "-q", "origin", "develop")
	r.url = gitHTTP(b, filepath.Dir(r.bare)) + "/" + filepath.Base(r.bare)
	return r
}

// push commits a new value of the bench ConfigMap and pushes it.
func (r *repo) push(b testing.TB, value string) {
	b.Helper()
	if err := os.WriteFile(filepath.Join(r.clone, "config", "bench.yaml"), []byte(benchConfigMap(value)), 0o644); err != nil {
		b.Fatal(err)
	}
	testenv.GitRun(b, r.clone, "commit", "-qam", "feat: value "+value)
	testenv.GitRun(b, r.clone, "push", "-q", "origin", "develop")
}

func (r *repo) head(b testing.TB) string { return testenv.GitRun(b, r.clone, "rev-parse", "HEAD") }

// hook points the remote's post-receive hook at url (a GitHub-style signed
// push), or removes it when url is empty.
func (r *repo) hook(b testing.TB, url string, secret []byte) {
	b.Helper()
	if url == "" {
		if err := os.Remove(filepath.Join(r.bare, "hooks", "post-receive")); err != nil && !os.IsNotExist(err) {
			b.Fatal(err)
		}
		return
	}
	testenv.InstallPushHook(b, r.bare, url, "github", secret)
}

func benchConfigMap(value string) string {
	return fmt.Sprintf("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: bench\ndata:\n  value: %q\n", value)
}

func ferryYAML(env, driftInterval string) string {
	return fmt.Sprintf(`apiVersion: ferry.dev/v1alpha1
kind: Platform
metadata:
  name: flux-bench-%[1]s
spec:
  lanes:
    - name: develop
  environments:
    - name: %[1]s
      lane: develop
      autoSync: true
      drift: heal
      driftInterval: %[2]s
      healthTimeout: 20m
      targets:
        - name: local
          kube:
            context: ferry-local
  components:
    - name: config
      type: kustomize
      path: config
      namespace: %[3]s
  checks:
    policyDirs: []
`, env, driftInterval, ferryNS(env))
}

func ferryNS(env string) string { return "ferry-" + env }
func fluxNS(env string) string  { return "flux-" + env }

// gitHTTP serves the bare repositories under root over Git's smart HTTP
// protocol on loopback (git http-backend behind net/http/cgi, as a Git
// host's front end would), until the benchmark ends.
func gitHTTP(b testing.TB, root string) string {
	b.Helper()
	execPath, err := exec.Command("git", "--exec-path").Output()
	if err != nil {
		b.Fatalf("git --exec-path: %v", err)
	}
	h := &cgi.Handler{
		Path: filepath.Join(strings.TrimSpace(string(execPath)), "git-http-backend"),
		Env:  []string{"GIT_PROJECT_ROOT=" + root, "GIT_HTTP_EXPORT_ALL=1"},
	}
	srv := httptest.NewServer(h)
	b.Cleanup(srv.Close)
	return srv.URL
}
