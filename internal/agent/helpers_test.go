package agent_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/rest"
	"k8s.io/client-go/tools/clientcmd"

	"ferry.dev/ferry/internal/agent"
	"ferry.dev/ferry/internal/deploy"
	"ferry.dev/ferry/internal/kube"
	"ferry.dev/ferry/internal/notify"
	"ferry.dev/ferry/internal/platform"
	"ferry.dev/ferry/internal/scaffold"
	"ferry.dev/ferry/internal/server"
	"ferry.dev/ferry/internal/store"
	"ferry.dev/ferry/internal/testenv"
)

// platformFixture is the reference platform on a bare remote, a clone that
// pushes to it, and the harness control plane under the reference
// platform's context name.
type platformFixture struct {
	t      testing.TB
	remote string
	clone  string
	state  string
	st     store.Store
	kube   *kubernetes.Clientset
	rest   *rest.Config
	hooks  *hookReceiver      // the notifications webhook sink's receiver
	notify *notify.Dispatcher // shared by the agents of the fixture, like ferry serve's
}

func newPlatform(t testing.TB, edit func(ferryYAML string) string) *platformFixture {
	t.Helper()
	testenv.GitIsolate(t)
	testenv.TerraformBin(t)
	cp := testenv.ControlPlaneFor(t)
	kc := cp.KubeconfigAs(t, "ferry-local")
	rc, err := clientcmd.BuildConfigFromFlags("", kc)
	if err != nil {
		t.Fatal(err)
	}
	f := &platformFixture{t: t, remote: testenv.GitRemote(t), state: t.TempDir(), rest: rc}
	f.kube = kubernetes.NewForConfigOrDie(rc)
	work := filepath.Join(t.TempDir(), "platform")
	repo, err := scaffold.Init(context.Background(), work, false)
	if err != nil {
		t.Fatal(err)
	}
	if edit != nil {
		// The same ferry.yaml on every lane, as if promoted there.
		path := filepath.Join(work, "ferry.yaml")
		b, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(edit(string(b))), 0o644); err != nil {
			t.Fatal(err)
		}
		testenv.GitRun(t, work, "commit", "-q", "-am", "chore: agent settings")
		head := testenv.GitRun(t, work, "rev-parse", "HEAD")
		for _, l := range repo.Lanes {
			if l != repo.Branch {
				testenv.GitRun(t, work, "branch", "-f", l, head)
			}
		}
	}
	testenv.GitRun(t, work, "remote", "add", "origin", f.remote)
	testenv.GitRun(t, work, "push", "-q", "origin", "--all")
	testenv.GitRun(t, work, "push", "-q", "origin", "--tags")
	f.clone = testenv.GitClone(t, f.remote)
	f.st, err = store.OpenSQLite(context.Background(), filepath.Join(f.state, "state.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { f.st.Close() })
	f.hooks = startHookReceiver(t)
	f.notify = notify.New(notify.Options{Store: f.st, Actor: agent.ActorName})
	t.Cleanup(func() { f.notify.Close(5 * time.Second) }) // before the store closes
	return f
}

// commitOn commits a file change on lane in the clone and pushes it.
func (f *platformFixture) commitOn(lane, path, content, msg string) string {
	f.t.Helper()
	testenv.GitRun(f.t, f.clone, "checkout", "-q", lane)
	testenv.GitRun(f.t, f.clone, "pull", "-q", "--ff-only", "origin", lane)
	rev := testenv.GitCommitFile(f.t, f.clone, path, content, msg)
	testenv.GitRun(f.t, f.clone, "push", "-q", "origin", lane)
	return rev
}

func (f *platformFixture) config(poll time.Duration) agent.Config {
	return agent.Config{
		Source: f.remote, StateDir: filepath.Join(f.state, "agent"), Store: f.st,
		Log:          testLogger(f.t),
		PollInterval: poll, LeaseTTL: 3 * time.Second, BackoffBase: 200 * time.Millisecond, BackoffMax: 5 * time.Second,
		Deploy: deploy.Options{StateDir: filepath.Join(f.state, "deploy"), HealthTimeout: 90 * time.Second},
		Notify: f.notify,
	}
}

// start runs an agent with its HTTP handler until the test ends; stop
// cancels it and waits for it to drain.
func (f *platformFixture) start(cfg agent.Config, secret []byte) (a *agent.Agent, url string, stop func()) {
	f.t.Helper()
	return startAgent(f.t, cfg, f.st, secret)
}

func startAgent(tb testing.TB, cfg agent.Config, st store.Store, secret []byte) (a *agent.Agent, url string, stop func()) {
	tb.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	a, err := agent.New(ctx, cfg)
	if err != nil {
		tb.Fatal(err)
	}
	srv := httptest.NewServer(server.Handler(server.Config{Agent: a, Store: st, WebhookSecret: secret, Metrics: cfg.Metrics}))
	done := make(chan struct{})
	go func() { defer close(done); _ = a.Run(ctx) }()
	stopped := false
	stop = func() {
		if stopped {
			return
		}
		stopped = true
		cancel()
		<-done
		srv.Close()
	}
	tb.Cleanup(stop)
	return a, srv.URL, stop
}

// deployedAt waits until env has a successful deployment of rev.
func (f *platformFixture) deployedAt(env, rev string, within time.Duration) store.Deployment {
	f.t.Helper()
	var got store.Deployment
	waitFor(f.t, within, func() (bool, string) {
		ds, err := f.st.Deployments(context.Background(), store.DeploymentFilter{Env: env, Revision: rev, Status: store.StatusSucceeded, Limit: 1})
		if err != nil || len(ds) == 0 {
			return false, fmt.Sprintf("no successful deployment of %s at %s (%v); recent: %s", env, rev, err, f.recent(env))
		}
		got = ds[0]
		return true, ""
	})
	return got
}

func (f *platformFixture) recent(env string) string {
	evs, _ := f.st.Events(context.Background(), store.EventFilter{Env: env, Limit: 5})
	var parts []string
	for _, e := range evs {
		parts = append(parts, e.Kind+": "+e.Message)
	}
	return strings.Join(parts, " | ")
}

func (f *platformFixture) head(lane string) string {
	return testenv.GitRun(f.t, f.remote, "rev-parse", "refs/heads/"+lane)
}

func waitFor(t testing.TB, within time.Duration, cond func() (bool, string)) {
	t.Helper()
	deadline := time.Now().Add(within)
	why := ""
	for time.Now().Before(deadline) {
		var ok bool
		if ok, why = cond(); ok {
			return
		}
		time.Sleep(100 * time.Millisecond)
	}
	t.Fatalf("not within %s: %s", within, why)
}

// apiRequests counts the writes that persist (not server-side dry-runs)
// the agent's syncs and drift checks send to the API server.
type apiRequests struct {
	mu        sync.Mutex
	writes    int
	lastWrite string
}

func (c *apiRequests) snapshot() (writes int, last string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.writes, c.lastWrite
}

func (c *apiRequests) RoundTrip(next http.RoundTripper, r *http.Request) (*http.Response, error) {
	switch r.Method {
	case http.MethodGet, http.MethodHead, http.MethodOptions:
	default:
		if r.URL.Query().Get("dryRun") != "All" {
			c.mu.Lock()
			c.writes++
			c.lastWrite = r.Method + " " + r.URL.Path
			c.mu.Unlock()
		}
	}
	return next.RoundTrip(r)
}

// connect is deploy.Options.Connect through the counter.
func (c *apiRequests) connect(t platform.Target, allowExec bool) (*kube.Client, error) {
	return kube.Connect(kube.Options{Kubeconfig: t.Kube.Kubeconfig, Context: t.Kube.Context, AllowExecPlugins: allowExec,
		WrapTransport: func(next http.RoundTripper) http.RoundTripper {
			return roundTripFunc(func(r *http.Request) (*http.Response, error) { return c.RoundTrip(next, r) })
		}})
}

type roundTripFunc func(*http.Request) (*http.Response, error)

func (f roundTripFunc) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }
