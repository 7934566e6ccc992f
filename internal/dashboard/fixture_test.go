package dashboard_test

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"ferry.dev/ferry/internal/agent"
	"ferry.dev/ferry/internal/app"
	"ferry.dev/ferry/internal/auth"
	"ferry.dev/ferry/internal/deploy"
	"ferry.dev/ferry/internal/platform"
	"ferry.dev/ferry/internal/server"
	"ferry.dev/ferry/internal/store"
	"ferry.dev/ferry/internal/testenv"
)

// dashYAML is a small platform on the harness control plane with the
// reference lanes develop → staging → main → release: one target per
// environment (context ferry-local), one manifests component (a
// ConfigMap), checks before staging and release, and main taking the
// revision staging verified once someone approved it.
const dashYAML = `apiVersion: ferry.dev/v1alpha1
kind: Platform
metadata:
  name: dash-test
spec:
  lanes:
    - name: develop
    - name: staging
      protected: true
    - name: main
      protected: true
    - name: release
      protected: true
  environments:
    - name: dev
      lane: develop
      targets:
        - name: local
          order: 1
          kube:
            context: ferry-local
    - name: staging
      lane: staging
      targets:
        - name: k3s
          order: 1
          kube:
            context: ferry-local
    - name: production
      lane: release
      targets:
        - name: aws
          cloud: aws
          order: 1
          kube:
            context: ferry-local
  components:
    - name: web
      type: manifests
      path: apps/web
      namespace: NAMESPACE
  promotions:
    - from: develop
      to: staging
      gates:
        checks: true
    - from: staging
      to: main
      candidate: verified
      gates:
        deployed: staging
        approvals: 1
    - from: main
      to: release
      gates:
        checks: true
`

const webYAML = `apiVersion: v1
kind: ConfigMap
metadata:
  name: web
  namespace: NAMESPACE
data:
  greeting: hello
`

// fixture is the platform on a bare remote, the store the server uses,
// an agent mirror that is fetched but not run (nothing reconciles behind
// the test's back) and ferry serve's handler, with a token per role.
type fixture struct {
	t      testing.TB
	remote string
	ns     string
	st     store.Store
	agent  *agent.Agent
	srv    *httptest.Server
	logs   *testenv.SyncBuffer
	tokens map[string]string
}

var fixtureTokens = []struct {
	name, role string
	envs       []string
}{
	{"viewer", store.RoleViewer, nil},
	{"deployer", store.RoleDeployer, nil},
	{"admin", store.RoleAdmin, nil},
}

// options of a fixture.
type options struct {
	// kube: the harness plane, for syncs (without it none succeeds).
	kube bool
	// postgres: the store in a PostgreSQL database of the harness
	// (default: SQLite in the work tree's .ferry/).
	postgres bool
}

func newFixture(t testing.TB, o options) *fixture {
	t.Helper()
	testenv.GitIsolate(t)
	f := &fixture{t: t, remote: testenv.GitRemote(t), logs: &testenv.SyncBuffer{}, tokens: map[string]string{}, ns: "dash-test"}
	if o.kube {
		cp := testenv.ControlPlaneFor(t)
		cp.KubeconfigAs(t, "ferry-local")
		f.ns = cp.Namespace(t)
	}
	work := testenv.GitClone(t, f.remote)
	testenv.GitCommitFile(t, work, "ferry.yaml", strings.ReplaceAll(dashYAML, "NAMESPACE", f.ns), "chore: platform")
	testenv.GitCommitFile(t, work, "apps/web/web.yaml", strings.ReplaceAll(webYAML, "NAMESPACE", f.ns), "feat: web")
	testenv.GitCommitFile(t, work, ".gitignore", ".ferry/\n", "chore: ignore state")
	testenv.GitRun(t, work, "tag", "-a", "-m", "v0.1.0", "v0.1.0")
	for _, l := range []string{"develop", "staging", "release"} {
		testenv.GitRun(t, work, "branch", l)
	}
	testenv.GitRun(t, work, "push", "-q", "origin", "develop", "staging", "main", "release", "v0.1.0")
	p, err := platform.Load(work)
	if err != nil {
		t.Fatal(err)
	}
	if o.postgres {
		f.st, err = store.OpenPostgres(context.Background(), testenv.PostgresDSN(t))
	} else {
		f.st, err = app.OpenStore(context.Background(), p)
	}
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { f.st.Close() })
	for _, tk := range fixtureTokens {
		tok, hash, err := auth.NewToken()
		if err != nil {
			t.Fatal(err)
		}
		if _, err := f.st.CreateToken(context.Background(), store.Token{Name: tk.name, Hash: hash, Role: tk.role, Envs: tk.envs}); err != nil {
			t.Fatal(err)
		}
		f.tokens[tk.name] = tok
	}
	log := slog.New(slog.NewJSONHandler(f.logs, nil))
	hub := server.NewHub(f.st)
	a, err := agent.New(context.Background(), agent.Config{Source: f.remote, StateDir: t.TempDir(), Store: hub.Wrap(f.st),
		Log: log, PollInterval: time.Hour, NoWatch: true})
	if err != nil {
		t.Fatal(err)
	}
	if err := a.Mirror().Fetch(context.Background()); err != nil {
		t.Fatal(err)
	}
	f.agent = a
	backend := server.AgentBackend{Agent: a, Deploy: deploy.Options{StateDir: t.TempDir(), HealthTimeout: time.Minute}}
	f.srv = httptest.NewServer(server.Handler(server.Config{Agent: a, Store: f.st, Log: log, Backend: backend, Hub: hub}))
	t.Cleanup(f.srv.Close)
	return f
}

// commitOn commits a file on lane in a clone of the remote, pushes it and
// fetches the mirror (as a webhook would make the agent do).
func (f *fixture) commitOn(lane, path, content, msg string) string {
	f.t.Helper()
	c := testenv.GitClone(f.t, f.remote)
	testenv.GitRun(f.t, c, "checkout", "-q", lane)
	rev := testenv.GitCommitFile(f.t, c, path, content, msg)
	testenv.GitRun(f.t, c, "push", "-q", "origin", lane)
	if err := f.agent.Mirror().Fetch(context.Background()); err != nil {
		f.t.Fatal(err)
	}
	return rev
}

// head is a lane's commit on the remote.
func (f *fixture) head(lane string) string {
	return strings.TrimSpace(testenv.GitRun(f.t, f.remote, "rev-parse", "refs/heads/"+lane))
}

// refs lists the remote's branches and tags with their commits.
func (f *fixture) refs() string {
	return testenv.GitRun(f.t, f.remote, "for-each-ref", "--format=%(refname) %(objectname)")
}

// client is an HTTP client with its own cookie jar that does not follow
// redirects (so a test sees them).
func (f *fixture) client() *http.Client {
	jar, _ := cookiejar.New(nil)
	return &http.Client{Jar: jar, Timeout: time.Minute,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
}

// login logs c in with the token of who and returns the login response.
func (f *fixture) login(c *http.Client, who string) *http.Response {
	f.t.Helper()
	resp, err := c.PostForm(f.srv.URL+"/login", url.Values{"token": {f.tokens[who]}, "next": {"/"}})
	if err != nil {
		f.t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusSeeOther {
		f.t.Fatalf("login as %s: %s", who, resp.Status)
	}
	return resp
}

// get fetches path with c and returns the response and its body.
func (f *fixture) get(c *http.Client, path string) (*http.Response, string) {
	f.t.Helper()
	resp, err := c.Get(f.srv.URL + path)
	if err != nil {
		f.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp, string(b)
}

// driftCheck changes the cluster with edit, then runs the drift check the
// agent runs (app.Drift, at env's deployed revision rev) and records its
// event as the agent does; only the agent's schedule is left out.
func (f *fixture) driftCheck(t *testing.T, env, rev string, edit func(ctx context.Context)) {
	t.Helper()
	ctx := context.Background()
	edit(ctx)
	work := testenv.GitClone(t, f.remote)
	testenv.GitRun(t, work, "checkout", "-q", "develop")
	p, err := platform.Load(work)
	if err != nil {
		t.Fatal(err)
	}
	ap, err := app.New(ctx, p, app.Options{Store: f.st, Deploy: deploy.Options{StateDir: t.TempDir(), HealthTimeout: time.Minute}})
	if err != nil {
		t.Fatal(err)
	}
	defer ap.Close()
	ts, err := ap.Drift(ctx, env)
	if err != nil {
		t.Fatal(err)
	}
	ev, ok := agent.DriftEvent(env, rev, "detect", ts)
	if !ok {
		t.Fatalf("the drift check of %s found nothing: %+v", env, ts)
	}
	if _, err := f.st.AppendEvent(ctx, ev); err != nil {
		t.Fatal(err)
	}
}
