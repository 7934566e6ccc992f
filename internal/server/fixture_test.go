package server_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"

	"ferry.dev/ferry/internal/agent"
	"ferry.dev/ferry/internal/api"
	"ferry.dev/ferry/internal/app"
	"ferry.dev/ferry/internal/auth"
	"ferry.dev/ferry/internal/deploy"
	"ferry.dev/ferry/internal/platform"
	"ferry.dev/ferry/internal/server"
	"ferry.dev/ferry/internal/store"
	"ferry.dev/ferry/internal/testenv"
)

// apiYAML is a small platform on the harness control plane: three
// environments of one target each (context ferry-local), one manifests
// component (a ConfigMap), ferry's default promotions and gates. A sync
// takes about a second, so the tests can make many for real.
const apiYAML = `apiVersion: ferry.dev/v1alpha1
kind: Platform
metadata:
  name: PLATFORM
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
`

const webYAML = `apiVersion: v1
kind: ConfigMap
metadata:
  name: web
  namespace: NAMESPACE
data:
  greeting: hello
`

// apiFixture is the small platform on a bare remote, a working clone the
// command line runs in (its store is the server's: .ferry/state.db), an
// agent mirror that is fetched but not run (so nothing reconciles behind
// the test's back), and ferry serve's handler with a token per role.
type apiFixture struct {
	t        testing.TB
	work     string
	remote   string
	ns       string
	name     string
	gitDate  string
	gitToken string
	// authFailures is the failed-authentication limit (0: the default).
	authFailures int
	agentRuns    bool
	st           store.Store
	agent        *agent.Agent
	hub          *server.Hub
	fetched      atomic.Int64 // when the fixture last fetched the mirror
	srv          *httptest.Server
	client       *http.Client
	v            *validator
	logs         *testenv.SyncBuffer
	tokens       map[string]string // by name: viewer, deployer (dev), deployer-all, admin, admin-dev
}

// Token names of the fixture and their grants.
var fixtureTokens = []struct {
	name, role string
	envs       []string
}{
	{"viewer", store.RoleViewer, nil},
	{"deployer", store.RoleDeployer, []string{"dev"}},
	{"deployer-all", store.RoleDeployer, nil},
	{"admin", store.RoleAdmin, nil},
	{"admin-dev", store.RoleAdmin, []string{"dev"}},
}

type fixtureOptions struct {
	// kube: the harness plane (for syncs); without it, no sync succeeds.
	kube bool
	// authFailures overrides the failed-authentication limit.
	authFailures int
	// terraform adds a Terraform component with a sensitive variable and
	// output (tfSecret) before the web component.
	terraform bool
	// gitToken is the agent's HTTPS token for the remote.
	gitToken string
	// agentRuns runs the agent (the leader) with the real AgentBackend,
	// whose Moved hints it, instead of fetching on the fixture's word.
	agentRuns bool
	// postgres puts the store in a PostgreSQL database of the harness
	// (default: SQLite under the working clone, where the CLI finds it).
	postgres bool
	// gitDate, when set, is the author and committer date of every commit
	// the fixture makes (so two fixtures of the same content are the same
	// commits).
	gitDate string
	// name is the platform's name (default: one of its own, so fixtures
	// sharing the plane never share an inventory) and namespace where
	// the component goes (default: a fresh one).
	name, namespace string
}

func newAPIFixture(t testing.TB, o fixtureOptions) *apiFixture {
	t.Helper()
	testenv.GitIsolate(t)
	f := &apiFixture{t: t, remote: testenv.GitRemote(t), logs: &testenv.SyncBuffer{}, tokens: map[string]string{}}
	f.ns, f.name = o.namespace, o.name
	if f.name == "" {
		f.name = fmt.Sprintf("api-%d", time.Now().UnixNano()%1e9)
	}
	if o.kube {
		cp := testenv.ControlPlaneFor(t)
		cp.KubeconfigAs(t, "ferry-local")
		if f.ns == "" {
			f.ns = cp.Namespace(t)
		}
	}
	if f.ns == "" {
		f.ns = "api-test"
	}
	f.gitDate, f.authFailures, f.agentRuns = o.gitDate, o.authFailures, o.agentRuns
	f.work = testenv.GitClone(t, f.remote)
	yaml := strings.NewReplacer("NAMESPACE", f.ns, "PLATFORM", f.name).Replace(apiYAML)
	if o.terraform {
		testenv.TerraformBin(t)
		yaml = strings.Replace(yaml, "  components:\n", "  components:\n"+vaultComponent, 1)
		yaml = strings.ReplaceAll(yaml, "            context: ferry-local\n", "            context: ferry-local\n          terraform:\n            backend: local\n")
		f.commitFile("infra/vault/main.tf", vaultTF, "feat: vault")
	}
	f.gitToken = o.gitToken
	f.commitFile("ferry.yaml", yaml, "chore: platform")
	f.commitFile("apps/web/web.yaml", strings.ReplaceAll(webYAML, "NAMESPACE", f.ns), "feat: web")
	f.commitFile(".gitignore", ".ferry/\n", "chore: ignore state")
	f.git("tag", "-a", "-m", "v0.1.0", "v0.1.0")
	for _, l := range []string{"develop", "staging", "release"} {
		f.git("branch", l)
	}
	f.git("push", "-q", "origin", "develop", "staging", "main", "release", "v0.1.0")
	f.git("checkout", "-q", "develop")
	p, err := platform.Load(f.work)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	if o.postgres {
		f.st, err = store.OpenPostgres(ctx, testenv.PostgresDSN(t))
	} else {
		f.st, err = app.OpenStore(ctx, p)
	}
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { f.st.Close() })
	for _, tk := range fixtureTokens {
		f.tokens[tk.name] = f.createToken(tk.name, tk.role, tk.envs)
	}
	f.start(nil)
	return f
}

// start (re)starts the server on the fixture's store, wrapped by wrap.
func (f *apiFixture) start(wrap func(store.Store) store.Store) {
	t := f.t
	st := f.st
	if wrap != nil {
		st = wrap(st)
	}
	log := slog.New(slog.NewJSONHandler(f.logs, nil))
	hub := server.NewHub(st)
	a, err := agent.New(context.Background(), agent.Config{Source: f.remote, StateDir: t.TempDir(), Store: hub.Wrap(st),
		Log: log, PollInterval: time.Hour, NoWatch: true, Credentials: agent.Credentials{Token: f.gitToken}})
	if err != nil {
		t.Fatal(err)
	}
	if err := a.Mirror().Fetch(context.Background()); err != nil {
		t.Fatal(err)
	}
	f.agent, f.hub = a, hub
	var backend server.Backend = leaderBackend{AgentBackend: server.AgentBackend{Agent: a,
		Deploy: deploy.Options{StateDir: t.TempDir(), HealthTimeout: time.Minute}}, fetched: &f.fetched}
	if f.agentRuns {
		backend = server.AgentBackend{Agent: a, Deploy: deploy.Options{StateDir: t.TempDir(), HealthTimeout: time.Minute}}
		ctx, cancel := context.WithCancel(context.Background())
		done := make(chan struct{})
		go func() { defer close(done); _ = a.Run(ctx) }()
		t.Cleanup(func() { cancel(); <-done })
	}
	f.srv = httptest.NewServer(server.Handler(server.Config{Agent: a, Store: st, Log: log, Backend: backend, Hub: hub,
		AuthFailures: f.authFailures, AuthBurst: f.authFailures, WebhookSecret: []byte(webhookSecret)}))
	t.Cleanup(f.srv.Close)
	f.v = newValidator(t)
	f.client = &http.Client{Transport: f.v, Timeout: 2 * time.Minute}
}

// leaderBackend is AgentBackend whose agent leads: told that lanes moved,
// it fetches (a leading agent's Hint fetches; this agent is never run, so
// it would instead record the hint for a leader as a follower does).
// Its Fetched is the fixture's own fetches (the agent, never run, records
// none).
type leaderBackend struct {
	server.AgentBackend
	fetched *atomic.Int64
}

func (b leaderBackend) Moved(ctx context.Context, _ []string) { _ = b.Agent.Mirror().Fetch(ctx) }
func (b leaderBackend) Fetched() time.Time                    { return time.Unix(0, b.fetched.Load()) }

func (f *apiFixture) createToken(name, role string, envs []string) string {
	tok, hash, err := auth.NewToken()
	if err != nil {
		f.t.Fatal(err)
	}
	if _, err := f.st.CreateToken(context.Background(), store.Token{Name: name, Hash: hash, Role: role, Envs: envs}); err != nil {
		f.t.Fatal(err)
	}
	return tok
}

// call makes one request as token (a fixture token name, or "" for none)
// and returns the status and body. Every call is validated against the
// OpenAPI document.
func (f *apiFixture) call(who, method, path string, body any) (int, []byte) {
	f.t.Helper()
	var rd io.Reader
	if body != nil {
		if s, ok := body.(string); ok {
			rd = strings.NewReader(s)
		} else {
			b, _ := json.Marshal(body)
			rd = bytes.NewReader(b)
		}
	}
	req, err := http.NewRequest(method, f.srv.URL+path, rd)
	if err != nil {
		f.t.Fatal(err)
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if who != "" {
		tok, ok := f.tokens[who]
		if !ok {
			tok = who // a raw token
		}
		req.Header.Set("Authorization", "Bearer "+tok)
	}
	resp, err := f.client.Do(req)
	if err != nil {
		f.t.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, b
}

// must calls and requires status want, decoding the body into out.
func (f *apiFixture) must(who, method, path string, body any, want int, out any) []byte {
	f.t.Helper()
	code, b := f.call(who, method, path, body)
	if code != want {
		f.t.Fatalf("%s %s as %s = %d %s, want %d", method, path, who, code, b, want)
	}
	if out != nil {
		if err := json.Unmarshal(b, out); err != nil {
			f.t.Fatalf("%s %s: decode %s: %v", method, path, b, err)
		}
	}
	return b
}

// follow waits for an action to end and returns it.
func (f *apiFixture) follow(who string, a api.Action) api.Action {
	f.t.Helper()
	deadline := time.Now().Add(3 * time.Minute)
	for !a.Done() {
		if time.Now().After(deadline) {
			f.t.Fatalf("action %s still running", a.ID)
		}
		f.must(who, "GET", "/api/v1/actions/"+a.ID+"?wait=20s", nil, http.StatusOK, &a)
	}
	return a
}

// commitOn commits a file on lane in the working clone and pushes it,
// then fetches the mirror (as a webhook would make the agent do).
func (f *apiFixture) commitOn(lane, path, content, msg string) string {
	f.t.Helper()
	f.git("checkout", "-q", lane)
	f.git("pull", "-q", "--ff-only", "origin", lane)
	rev := f.commitFile(path, content, msg)
	f.git("push", "-q", "origin", lane)
	f.git("checkout", "-q", "develop")
	f.fetch()
	return rev
}

// git runs git in the working clone (testenv's environment, plus the
// fixture's commit date).
func (f *apiFixture) git(args ...string) string {
	f.t.Helper()
	cmd := exec.Command("git", args...)
	cmd.Dir = f.work
	cmd.Env = testenv.GitEnv(f.t)
	if f.gitDate != "" {
		cmd.Env = append(cmd.Env, "GIT_AUTHOR_DATE="+f.gitDate, "GIT_COMMITTER_DATE="+f.gitDate)
	}
	out, err := cmd.CombinedOutput()
	if err != nil {
		f.t.Fatalf("git %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return strings.TrimSpace(string(out))
}

func (f *apiFixture) commitFile(path, content, msg string) string {
	f.t.Helper()
	full := filepath.Join(f.work, filepath.FromSlash(path))
	fatalIf(f.t, os.MkdirAll(filepath.Dir(full), 0o755))
	fatalIf(f.t, os.WriteFile(full, []byte(content), 0o644))
	f.git("add", "--", path)
	f.git("commit", "-q", "-m", msg)
	return f.git("rev-parse", "HEAD")
}

func (f *apiFixture) fetch() {
	f.t.Helper()
	if err := f.agent.Mirror().Fetch(context.Background()); err != nil {
		f.t.Fatal(err)
	}
	f.fetched.Store(time.Now().UnixNano())
}

// tfSecret is the sensitive Terraform value of the vault component.
const tfSecret = "tf-s3cret-Value-42"

const vaultComponent = `    - name: vault
      type: terraform
      path: infra/vault
`

const vaultTF = `variable "db_password" {
  type      = string
  sensitive = true
  default   = "` + tfSecret + `"
}

resource "terraform_data" "db" {
  input = sensitive(var.db_password)
}

output "password" {
  value     = var.db_password
  sensitive = true
}
`

// webhookSecret is the fixture's webhook HMAC secret.
const webhookSecret = "hook-s3cret-never-shown"

// refs lists the remote's branches and tags with their commits.
func (f *apiFixture) refs() string {
	return testenv.GitRun(f.t, f.remote, "for-each-ref", "--format=%(refname) %(objectname)")
}

func fatalIf(t testing.TB, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

var _ = os.Getenv
var _ = fmt.Sprint
var _ = filepath.Join

func strconvFormat(n int64) string { return fmt.Sprint(n) }

type corev1Namespace = corev1.Namespace

func webWithNS(ns string) string { return strings.ReplaceAll(webYAML, "NAMESPACE", ns) }
