package server_test

import (
	"bufio"
	"context"
	"encoding/json"
	"net/http"
	"reflect"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"ferry.dev/ferry/internal/agent"
	"ferry.dev/ferry/internal/api"
	"ferry.dev/ferry/internal/app"
	"ferry.dev/ferry/internal/deploy"
	"ferry.dev/ferry/internal/flow"
	"ferry.dev/ferry/internal/platform"
	"ferry.dev/ferry/internal/server"
	"ferry.dev/ferry/internal/store"
	"ferry.dev/ferry/internal/testenv"
	"ferry.dev/ferry/internal/view"
)

// TestAPIScenario walks the whole path from commit to production through
// the API on the harness plane — sync dev, promote staging (checks run),
// sync staging, approve and promote main, release, sync production, roll
// production back to the first tag — reading every view on the way and
// watching the event stream. Every request and response is held to the
// OpenAPI document, and every operation of the document is exercised.
func TestAPIScenario(t *testing.T) {
	began := time.Now()
	f := newAPIFixture(t, fixtureOptions{kube: true})
	t.Logf("fixture ready in %v", time.Since(began).Round(time.Millisecond))
	// A Terraform file terraform fmt would rewrite: a low finding (FERRY-TF-002)
	// the checks gate records without failing.
	f.commitOn("develop", "infra/notes.tf", "locals {\nx=1\n}\n", "chore: notes")
	feat := f.commitOn("develop", "apps/web/web.yaml", strings.ReplaceAll(strings.ReplaceAll(webYAML, "NAMESPACE", f.ns), "hello", "bonjour"), "feat: greet in French")

	// Open doors and closed ones.
	f.must("", "GET", "/api/v1/openapi.json", nil, http.StatusOK, nil)
	var e api.Error
	f.must("", "GET", "/api/v1/environments", nil, http.StatusUnauthorized, &e)
	if e.Code != api.CodeUnauthenticated || e.Hint == "" {
		t.Fatalf("401 body %+v", e)
	}
	var who server.Whoami
	f.must("deployer", "GET", "/api/v1/whoami", nil, http.StatusOK, &who)
	if who.Name != "deployer" || who.Role != "deployer" || len(who.Envs) != 1 || who.Envs[0] != "dev" {
		t.Fatalf("whoami %+v", who)
	}
	var plat view.Platform
	f.must("viewer", "GET", "/api/v1/platform", nil, http.StatusOK, &plat)
	if plat.Name != f.name || len(plat.Environments) != 3 || plat.Production != "production" || len(plat.Promotions) != 3 {
		t.Fatalf("platform %+v", plat)
	}
	envs := f.environments()
	if envs["dev"].Sync != view.SyncNeverDeployed || envs["dev"].LaneHead != feat {
		t.Fatalf("dev before any sync: %+v", envs["dev"])
	}

	stream := f.openStream("viewer")

	// dev: a deployer of dev syncs it.
	a := f.syncEnv("deployer", "dev", nil)
	if stream.waitDeployment(a.Deployment, store.StatusSucceeded, 10*time.Second) == "" {
		t.Errorf("the stream never told deployment %d succeeded; it got:\n%s", a.Deployment, stream.text())
	}
	if !strings.Contains(stream.text(), `"status":"running"`) {
		t.Errorf("the stream never showed deployment %d running:\n%s", a.Deployment, stream.text())
	}
	envs = f.environments()
	if d := envs["dev"]; d.Sync != view.SyncSynced || d.Revision != feat || d.Targets[0].Health != "recorded healthy" ||
		d.Deployment.ID != a.Deployment || d.Targets[0].Status != store.StatusSucceeded {
		t.Fatalf("dev after its sync: %+v", d)
	}
	var one view.Environment
	f.must("viewer", "GET", "/api/v1/environments/dev", nil, http.StatusOK, &one)
	var dep store.Deployment
	f.must("viewer", "GET", "/api/v1/deployments/"+itoa(a.Deployment), nil, http.StatusOK, &dep)
	if dep.Actor != "deployer" || len(dep.Targets) != 1 || len(dep.Targets[0].Components) != 1 || dep.Targets[0].Components[0].Component != "web" {
		t.Fatalf("deployment %+v", dep)
	}
	if want := (store.ObjectChange{Target: "local", Component: "web", Object: "v1/ConfigMap/" + f.ns + "/web", Action: "create"}); dep.ChangesTotal != 1 ||
		len(dep.Changes) != 1 || !reflect.DeepEqual(dep.Changes[0], want) {
		t.Fatalf("deployment %d changes %+v (total %d), want %+v", dep.ID, dep.Changes, dep.ChangesTotal, want)
	}
	// Drift: the ConfigMap edited by hand; the agent's drift check (app.Drift)
	// finds it and its event names the object and the field. Only the
	// agent's scheduling is left out: the fixture's agent does not run.
	ctx := t.Context()
	kc := testenv.ControlPlaneFor(t).Client().CoreV1().ConfigMaps(f.ns)
	cm, err := kc.Get(ctx, "web", metav1.GetOptions{})
	fatalIf(t, err)
	cm.Data["greeting"] = "edited by hand"
	_, err = kc.Update(ctx, cm, metav1.UpdateOptions{FieldManager: "kubectl-edit"})
	fatalIf(t, err)
	p, err := platform.Load(f.work)
	fatalIf(t, err)
	driftApp, err := app.New(ctx, p, app.Options{Store: f.st, Deploy: deploy.Options{StateDir: t.TempDir(), HealthTimeout: time.Minute}})
	fatalIf(t, err)
	ts, err := driftApp.Drift(ctx, "dev")
	driftApp.Close()
	fatalIf(t, err)
	ev, drifted := agent.DriftEvent("dev", feat, "detect", ts)
	if !drifted {
		t.Fatalf("the drift check found no drift: %+v", ts)
	}
	_, err = f.st.AppendEvent(ctx, ev)
	fatalIf(t, err)
	f.must("viewer", "GET", "/api/v1/environments/dev", nil, http.StatusOK, &one)
	if d := one.Drift; d == nil || d.ObjectsTotal != 1 || len(d.Objects) != 1 || d.Objects[0].Object != "v1/ConfigMap/"+f.ns+"/web" ||
		d.Objects[0].Action != "configure" || !strings.Contains(strings.Join(d.Objects[0].Fields, " "), "greeting") || d.Mode != "detect" {
		t.Fatalf("dev's drift %+v", one.Drift)
	}
	if raw, _ := json.Marshal(one); strings.Contains(string(raw), "edited by hand") {
		t.Errorf("the drift shows the edited value: %s", raw)
	}
	var dp server.DeploymentsPage
	f.must("viewer", "GET", "/api/v1/deployments?env=dev&status=succeeded&limit=10", nil, http.StatusOK, &dp)
	if len(dp.Deployments) != 1 || dp.Next != 0 || dp.Deployments[0].Changes != nil || dp.Deployments[0].ChangesTotal != 1 {
		t.Fatalf("deployments page %+v", dp)
	}

	// Before staging moves, both develop commits wait for it, newest first.
	var early server.LanesPage
	f.must("viewer", "GET", "/api/v1/lanes", nil, http.StatusOK, &early)
	if w := early.Lanes[1].WaitingCommits; early.Lanes[1].Lane != "staging" || early.Lanes[1].Waiting != 2 || len(w) != 2 ||
		w[0].ID != feat || w[0].Subject != "feat: greet in French" || w[1].Subject != "chore: notes" || w[0].Author == "" || w[0].Date == "" {
		t.Fatalf("staging's waiting commits %+v", early.Lanes[1])
	}

	// staging: promote (the checks gate runs the checks), then sync.
	var res flow.Result
	f.must("deployer-all", "POST", "/api/v1/lanes/staging/promote", api.PromoteRequest{DryRun: true}, http.StatusOK, &res)
	if !res.DryRun || !res.Allowed || res.Candidate != feat || res.Commit != "" {
		t.Fatalf("dry run %+v", res)
	}
	f.must("deployer-all", "POST", "/api/v1/lanes/staging/promote", nil, http.StatusOK, &res)
	if res.Commit == "" || res.PromotionID == 0 || testHead(f, "staging") != res.Commit {
		t.Fatalf("promotion %+v (remote staging %s)", res, testHead(f, "staging"))
	}
	f.syncEnv("deployer-all", "staging", nil)

	// main: approve, promote. release: dry run, then for real.
	var ap flow.Approval
	f.must("deployer-all", "POST", "/api/v1/lanes/main/approve", api.ApproveRequest{Comment: "CAB-1"}, http.StatusOK, &ap)
	if ap.Actor != "deployer-all" || ap.Lane != "main" {
		t.Fatalf("approval %+v", ap)
	}
	f.must("deployer-all", "POST", "/api/v1/lanes/main/promote", nil, http.StatusOK, &res)
	if res.Commit == "" {
		t.Fatalf("promotion to main %+v", res)
	}
	var rel flow.ReleaseResult
	f.must("admin", "POST", "/api/v1/release", api.ReleaseRequest{DryRun: true}, http.StatusOK, &rel)
	if rel.Tag != "v0.2.0" || !rel.DryRun {
		t.Fatalf("release dry run %+v", rel)
	}
	f.must("admin", "POST", "/api/v1/release", api.ReleaseRequest{}, http.StatusOK, &rel)
	if rel.Commit == "" || !strings.Contains(f.refs(), "refs/tags/v0.2.0") {
		t.Fatalf("release %+v\n%s", rel, f.refs())
	}

	// production: sync, then roll back to v0.1.0 (commit + sync).
	f.syncEnv("admin", "production", nil)
	var rb api.Action
	f.must("admin", "POST", "/api/v1/environments/production/rollback", api.RollbackRequest{To: "v0.1.0"}, http.StatusAccepted, &rb)
	rb = f.follow("admin", rb)
	var rr server.RollbackReport
	if rb.Status != api.ActionSucceeded || json.Unmarshal(rb.Result, &rr) != nil || rr.Rollback.Tag != "v0.1.0" || rr.Deployment.Status != store.StatusSucceeded {
		t.Fatalf("rollback %+v %s", rb, rb.Result)
	}
	if envs = f.environments(); envs["production"].Revision != rr.Rollback.Commit {
		t.Fatalf("production after the rollback: %+v (want %s)", envs["production"], rr.Rollback.Commit)
	}

	// Records.
	var pp server.PromotionsPage
	f.must("viewer", "GET", "/api/v1/releases", nil, http.StatusOK, &pp)
	if len(pp.Promotions) != 1 || pp.Promotions[0].Version != "v0.2.0" || pp.Promotions[0].Actor != "admin" {
		t.Fatalf("releases %+v", pp)
	}
	// The release's record: the gates it passed, with why, and its changelog.
	var relRec store.Promotion
	f.must("viewer", "GET", "/api/v1/promotions/"+itoa(pp.Promotions[0].ID), nil, http.StatusOK, &relRec)
	if relRec.Version != "v0.2.0" || !strings.Contains(relRec.Changelog, "greet in French") || len(relRec.Gates) == 0 {
		t.Fatalf("release record %+v", relRec)
	}
	for _, g := range relRec.Gates {
		if !g.Passed || g.Reason == "" || g.Name == "" {
			t.Errorf("release gate %+v: want passed, with a reason", g)
		}
	}
	var mainRec, stagingRec store.Promotion
	f.must("viewer", "GET", "/api/v1/promotions/"+itoa(res.PromotionID), nil, http.StatusOK, &mainRec)
	var names []string
	for _, g := range mainRec.Gates {
		names = append(names, g.Name)
	}
	if mainRec.To != "main" || !slices.Contains(names, "deployed") || !slices.Contains(names, "lane") {
		t.Fatalf("main promotion record %+v: want its deployed and lane gates", mainRec)
	}
	f.must("viewer", "GET", "/api/v1/promotions/1", nil, http.StatusOK, &stagingRec)
	if stagingRec.To != "staging" || len(stagingRec.Gates) == 0 || stagingRec.Gates[0].Name != "checks" || len(stagingRec.Gates[0].Evidence) != 1 {
		t.Fatalf("staging promotion record %+v", stagingRec)
	}
	f.must("viewer", "GET", "/api/v1/promotions?limit=2", nil, http.StatusOK, &pp)
	if len(pp.Promotions) != 2 || pp.Next == 0 || pp.Promotions[0].Kind != "rollback" {
		t.Fatalf("promotions page 1 %+v", pp)
	}
	f.must("viewer", "GET", "/api/v1/promotions?limit=2&before="+itoa(pp.Next), nil, http.StatusOK, &pp)
	if len(pp.Promotions) != 2 || pp.Promotions[1].To != "staging" {
		t.Fatalf("promotions page 2 %+v", pp)
	}
	var cp server.CheckRunsPage
	f.must("viewer", "GET", "/api/v1/checkruns?revision="+feat, nil, http.StatusOK, &cp)
	if len(cp.CheckRuns) == 0 || !cp.CheckRuns[0].Passed {
		t.Fatalf("check runs of %s: %+v", feat, cp)
	}
	if cp.CheckRuns[0].Findings != nil || cp.CheckRuns[0].FindingsTotal != 1 {
		t.Fatalf("listed check run %+v: want no findings listed, a total of 1", cp.CheckRuns[0])
	}
	var run store.CheckRun
	f.must("viewer", "GET", "/api/v1/checkruns/"+itoa(cp.CheckRuns[0].ID), nil, http.StatusOK, &run)
	if len(run.Findings) != 1 || run.Findings[0].Rule != "FERRY-TF-002" || run.Findings[0].File != "infra/notes.tf" ||
		run.Findings[0].Line != 2 || run.Findings[0].Doc == "" || run.Findings[0].Severity != "low" {
		t.Fatalf("check run %d findings %+v", run.ID, run.Findings)
	}
	var ep server.EventsPage
	f.must("viewer", "GET", "/api/v1/events?limit=3", nil, http.StatusOK, &ep)
	if len(ep.Events) != 3 || ep.Next == 0 {
		t.Fatalf("events %+v", ep)
	}
	f.must("viewer", "GET", "/api/v1/events?kind=approval&env=staging", nil, http.StatusOK, &ep)
	var st view.Status
	f.must("viewer", "GET", "/api/v1/status?env=production", nil, http.StatusOK, &st)
	if len(st.Lanes) != 1 || st.Lanes[0].Lane != "release" || len(st.Environments) != 1 || st.Lanes[0].RolledBack != "v0.1.0" {
		t.Fatalf("status %+v", st)
	}
	var h view.History
	f.must("viewer", "GET", "/api/v1/history?target=production&limit=5", nil, http.StatusOK, &h)
	if h.Env != "production" || len(h.Deployments) != 2 || len(h.Promotions) != 2 {
		t.Fatalf("history %+v", h)
	}
	var lanes server.LanesPage
	f.must("viewer", "GET", "/api/v1/lanes", nil, http.StatusOK, &lanes)
	if len(lanes.Lanes) != 4 || lanes.Lanes[3].Version != "v0.1.0" {
		t.Fatalf("lanes %+v", lanes)
	}
	f.must("viewer", "GET", "/api/v1/dora?env=production", nil, http.StatusOK, nil)
	f.must("viewer", "GET", "/api/v1/catalog", nil, http.StatusOK, nil) // its content: TestCatalogAPI
	f.must("viewer", "GET", "/api/v1/actions/"+rb.ID, nil, http.StatusOK, nil)

	// Tokens: an admin makes one (shown once, never listed), it works,
	// then is revoked and refused.
	var made api.CreatedToken
	f.must("admin", "POST", "/api/v1/tokens", api.TokenRequest{Name: "bot", Role: "viewer", Envs: []string{"dev"}}, http.StatusCreated, &made)
	if made.Token == "" || made.Role != "viewer" {
		t.Fatalf("created token %+v", made)
	}
	f.must(made.Token, "GET", "/api/v1/whoami", nil, http.StatusOK, &who)
	if who.Name != "bot" {
		t.Fatalf("the new token is %+v", who)
	}
	listed := f.must("admin", "GET", "/api/v1/tokens", nil, http.StatusOK, nil)
	if strings.Contains(string(listed), made.Token[6:]) || !strings.Contains(string(listed), `"name":"bot"`) {
		t.Fatalf("token list %s", listed)
	}
	f.must("admin", "DELETE", "/api/v1/tokens/bot", nil, http.StatusOK, nil)
	f.must(made.Token, "GET", "/api/v1/whoami", nil, http.StatusUnauthorized, nil)
	f.must("viewer", "GET", "/api/v1/events?kind=token.created", nil, http.StatusOK, &ep)
	if len(ep.Events) != 1 || ep.Events[0].Actor != "admin" {
		t.Fatalf("token events %+v", ep)
	}

	// Bad input: clear 4xx with a stable code.
	for _, tc := range []struct {
		who, method, path string
		body              any
		status            int
		code              string
	}{
		{"admin", "POST", "/api/v1/environments/nowhere/sync", nil, 404, api.CodeUnknownEnv},
		{"admin", "POST", "/api/v1/environments/dev/sync", `{"ref": 7}`, 400, api.CodeBadRequest},
		{"admin", "POST", "/api/v1/environments/dev/sync", `{"reff": "x"}`, 400, api.CodeBadRequest},
		{"admin", "POST", "/api/v1/environments/dev/sync", api.SyncRequest{Ref: "no-such-rev"}, 500, ""},
		{"admin", "POST", "/api/v1/environments/dev/rollback", api.RollbackRequest{To: "v9.9.9"}, 404, api.CodeUnknownTag},
		{"admin", "POST", "/api/v1/lanes/nowhere/promote", nil, 404, api.CodeUnknownLane},
		{"admin", "POST", "/api/v1/release", api.ReleaseRequest{}, 409, api.CodeNothingToRelease},
		{"admin", "POST", "/api/v1/release", `{"bump": "huge"}`, 400, api.CodeBadRequest},
		{"viewer", "GET", "/api/v1/deployments/abc", nil, 400, api.CodeBadRequest},
		{"viewer", "GET", "/api/v1/deployments/99999", nil, 404, api.CodeNotFound},
		{"viewer", "GET", "/api/v1/promotions/99999", nil, 404, api.CodeNotFound},
		{"viewer", "GET", "/api/v1/deployments?limit=0", nil, 400, api.CodeBadRequest},
		{"viewer", "GET", "/api/v1/actions/a999", nil, 404, api.CodeNotFound},
		{"viewer", "GET", "/api/v1/nope", nil, 404, api.CodeNotFound},
		{"viewer", "POST", "/api/v1/lanes/staging/promote", nil, 403, api.CodeForbidden},
		{"admin", "POST", "/api/v1/tokens", api.TokenRequest{Name: "admin", Role: "viewer"}, 409, api.CodeConflict},
		{"admin", "POST", "/api/v1/tokens", api.TokenRequest{Name: "x", Role: "root"}, 400, api.CodeBadRequest},
		{"admin", "POST", "/api/v1/tokens", api.TokenRequest{Name: "x", Role: "viewer", Envs: []string{"moon"}}, 404, api.CodeUnknownEnv},
		{"admin", "DELETE", "/api/v1/tokens/nobody", nil, 404, api.CodeNotFound},
	} {
		code, body := f.call(tc.who, tc.method, tc.path, tc.body)
		var e api.Error
		if json.Unmarshal(body, &e) != nil || e.Message == "" || tc.code != "" && (code != tc.status || e.Code != tc.code) ||
			tc.code == "" && code < 400 {
			t.Errorf("%s %s %v = %d %s, want %d %s", tc.method, tc.path, tc.body, code, body, tc.status, tc.code)
		}
	}
	stream.close()
	if left := f.v.uncovered(); len(left) > 0 {
		t.Errorf("operations of the OpenAPI document no test answered 2xx: %v", left)
	}
}

func (f *apiFixture) environments() map[string]view.Environment {
	f.t.Helper()
	var page server.EnvironmentsPage
	f.must("viewer", "GET", "/api/v1/environments", nil, http.StatusOK, &page)
	out := map[string]view.Environment{}
	for _, e := range page.Environments {
		out[e.Name] = e
	}
	return out
}

// syncEnv syncs env as who through the API and waits for the deployment.
func (f *apiFixture) syncEnv(who, env string, req *api.SyncRequest) api.Action {
	f.t.Helper()
	var a api.Action
	var body any
	if req != nil {
		body = req
	}
	f.must(who, "POST", "/api/v1/environments/"+env+"/sync", body, http.StatusAccepted, &a)
	if a.Deployment == 0 || a.Kind != "sync" || a.Actor != who {
		f.t.Fatalf("sync answer %+v", a)
	}
	a = f.follow(who, a)
	var rep deploy.Report
	if a.Status != api.ActionSucceeded || json.Unmarshal(a.Result, &rep) != nil || rep.Status != store.StatusSucceeded || rep.DeploymentID != a.Deployment {
		f.t.Fatalf("sync of %s: %+v\n%s", env, a, a.Result)
	}
	return a
}

func testHead(f *apiFixture, lane string) string {
	for _, l := range strings.Split(f.refs(), "\n") {
		if ref, sha, _ := strings.Cut(l, " "); ref == "refs/heads/"+lane {
			return sha
		}
	}
	return ""
}

// sseClient reads an event stream in the background.
type sseClient struct {
	mu     sync.Mutex
	lines  []string
	cancel context.CancelFunc
	done   chan struct{}
	at     map[string]time.Time // "deployment id status" → when it arrived
}

func (f *apiFixture) openStream(who string) *sseClient {
	f.t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	req, _ := http.NewRequestWithContext(ctx, "GET", f.srv.URL+"/api/v1/events/stream", nil)
	req.Header.Set("Authorization", "Bearer "+f.tokens[who])
	resp, err := f.client.Do(req)
	if err != nil || resp.StatusCode != 200 || resp.Header.Get("Content-Type") != "text/event-stream" {
		f.t.Fatalf("open stream: %v %v", err, resp)
	}
	c := &sseClient{cancel: cancel, done: make(chan struct{}), at: map[string]time.Time{}}
	go c.read(resp)
	f.t.Cleanup(c.close)
	return c
}

func (c *sseClient) read(resp *http.Response) {
	defer close(c.done)
	defer resp.Body.Close()
	sc := bufio.NewScanner(resp.Body)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	event := ""
	for sc.Scan() {
		line := sc.Text()
		c.mu.Lock()
		c.lines = append(c.lines, line)
		if v, ok := strings.CutPrefix(line, "event: "); ok {
			event = v
		}
		if v, ok := strings.CutPrefix(line, "data: "); ok && event == "deployment" {
			var d struct {
				ID     int64
				Status string
			}
			if json.Unmarshal([]byte(v), &d) == nil {
				c.at[itoa(d.ID)+" "+d.Status] = time.Now()
			}
		}
		c.mu.Unlock()
	}
}

// waitDeployment waits for a "deployment" message of id with status.
func (c *sseClient) waitDeployment(id int64, status store.Status, within time.Duration) string {
	deadline := time.Now().Add(within)
	for time.Now().Before(deadline) {
		c.mu.Lock()
		_, ok := c.at[itoa(id)+" "+string(status)]
		c.mu.Unlock()
		if ok {
			return "ok"
		}
		time.Sleep(10 * time.Millisecond)
	}
	return ""
}

func (c *sseClient) arrived(id int64, status store.Status) (time.Time, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	at, ok := c.at[itoa(id)+" "+string(status)]
	return at, ok
}

func (c *sseClient) text() string {
	c.mu.Lock()
	defer c.mu.Unlock()
	return strings.Join(c.lines, "\n")
}

func (c *sseClient) close() { c.cancel(); <-c.done }

var _ = sync.Once{}

func itoa(n int64) string { return strconvFormat(n) }

// TestAPIMovesWakeTheAgent: a promotion made through the API hints the
// running agent (AgentBackend.Moved, as a push webhook would), which
// reconciles the promoted lane's environment at once, not at its next
// poll an hour away.
func TestAPIMovesWakeTheAgent(t *testing.T) {
	f := newAPIFixture(t, fixtureOptions{agentRuns: true})
	deadline := time.Now().Add(30 * time.Second)
	for f.agent.Health().Role != "leader" {
		if time.Now().After(deadline) {
			t.Fatalf("the agent never led: %+v", f.agent.Health())
		}
		time.Sleep(50 * time.Millisecond)
	}
	feat := f.commitOn("develop", "notes.txt", "x\n", "feat: notes")
	f.agent.Hint(context.Background(), "test", nil) // as the push's webhook would
	var res flow.Result
	deadline = time.Now().Add(30 * time.Second)
	for {
		code, body := f.call("admin", "POST", "/api/v1/lanes/staging/promote", nil)
		if code == http.StatusOK && json.Unmarshal(body, &res) == nil && res.Candidate == feat {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("promote staging: %d %s", code, body)
		}
		time.Sleep(200 * time.Millisecond)
	}
	deadline = time.Now().Add(20 * time.Second)
	for {
		out, _, ok, err := agent.LastOutcome(context.Background(), f.st, "staging")
		fatalIf(t, err)
		if ok && out.Revision == res.Commit {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the agent never looked at staging's new head %s (last outcome %+v)", res.Commit, out)
		}
		time.Sleep(50 * time.Millisecond)
	}
}
