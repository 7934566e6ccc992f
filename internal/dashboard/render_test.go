package dashboard

import (
	"bytes"
	"fmt"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"ferry.dev/ferry/internal/flow"
	"ferry.dev/ferry/internal/store"
	"ferry.dev/ferry/internal/view"
)

// TestPagesRender renders every page from hand-built models, edge cases
// included (nothing deployed, a plan that failed, no gates), without a
// server: a template that dereferences what may be absent fails here.
func TestPagesRender(t *testing.T) {
	t.Parallel()
	user := &User{Name: "ana", Role: "deployer", Envs: []string{"dev"}}
	base := func(title string) Base {
		return Base{Title: title, User: user, CSRF: "c5rf", Path: "/x", Platform: "p"}
	}
	blocked := &flow.Plan{From: "staging", To: "main", Candidate: strings.Repeat("a", 40), Target: strings.Repeat("b", 40),
		Gates: []flow.Gate{{Name: "deployed", Passed: true, Reason: "ok", Evidence: []string{"deployment:7"}},
			{Name: "approvals", Reason: "0 of 1 approval(s)"}, {Name: "checks", Pending: true, Reason: "not checked yet"}},
		Commits: []flow.CommitInfo{{Short: "aaaa", Subject: "feat: <script>alert(1)</script>"}}}
	spec := view.PromotionSpec{From: "staging", To: "main", Candidate: "verified", Gates: []string{"approvals: 1"}}
	env := view.Environment{Name: "dev", Lane: "develop", Sync: view.SyncNeverDeployed, Targets: []view.TargetState{{Name: "local", Health: "never deployed"}}}
	cases := []struct {
		name  string
		model any
		want  []string
	}{
		{"pipeline", &Pipeline{Base: base("Pipeline"), Columns: []Column{
			{Lane: flow.LaneStatus{Lane: "develop", Drift: []flow.CommitInfo{}}, Env: &env},
			{Lane: flow.LaneStatus{Lane: "main", Upstream: "staging", Waiting: 2}, In: gatesOf(spec, blocked, "")},
			{Lane: flow.LaneStatus{Lane: "staging", Upstream: "develop", Waiting: 23, WaitingCommits: []flow.CommitInfo{
				{Short: "cccc", Subject: "fix: <c>", Author: "ana <a@x>", Date: "2026-03-01T12:00:00Z"}}}},
			{Lane: flow.LaneStatus{Lane: "release", Error: "read lane release: gone"}, In: gatesOf(spec, nil, "plan failed")},
		}}, []string{"waits for approvals", "2 commit(s) on staging", "<summary>23 commit(s) on develop not here yet</summary>",
			"fix: &lt;c&gt;", "ana &lt;a@x&gt;", `datetime="2026-03-01T12:00:00Z"`, "and 22 more", "read lane release: gone", "plan failed", "nothing yet"}},
		{"environment", &EnvironmentPage{Base: base("Environment dev"), Env: env, CanSync: true,
			Targets: []TargetRow{{TargetState: env.Targets[0], Components: []ComponentRow{{Component: view.Component{Name: "web"}}}}}},
			[]string{"Sync dev", "No deployments yet", `name="csrf" value="c5rf"`}},
		{"environment drift", &EnvironmentPage{Base: base("Environment staging"), Env: view.Environment{Name: "staging", Lane: "staging",
			Sync: view.SyncSynced, Lock: &view.Lock{Owner: "agent@host", ExpiresAt: time.Now()},
			Drift: &view.Drift{At: time.Now(), Mode: "detect", Details: "k3s/web: 1 configured", ObjectsTotal: 250, Objects: []store.ObjectChange{
				{Target: "k3s", Component: "web", Object: "apps/v1/Deployment/web/web", Action: "configure", Fields: []string{"/spec/replicas"}},
				{Target: "k3s", Component: "stack", Object: "terraform_data.env", Action: "update"}}}}},
			[]string{"Drifted objects", "Deployment/web/web", "/spec/replicas", "terraform_data.env", "and 250 in all", "held by agent@host"}},
		{"deployment", &DeploymentPage{Base: base("Deployment 1"), D: store.Deployment{ID: 1, Env: "dev", Status: store.StatusRunning, StartedAt: time.Now()}},
			[]string{"still running", "No target has reported yet"}},
		{"deployment changes", func() *DeploymentPage {
			pg := &DeploymentPage{Base: base("Deployment 2"), D: store.Deployment{ID: 2, Env: "dev", Status: store.StatusSucceeded, ChangesTotal: 1004,
				Changes: []store.ObjectChange{
					{Target: "local", Component: "stack", Object: "terraform_data.vpc", Action: "create"},
					{Target: "local", Component: "web", Object: "apps/v1/Deployment/web/web", Action: "configure", Fields: []string{"/spec/replicas"}},
					{Target: "local", Component: "web", Object: "v1/ConfigMap/web/old", Action: "prune"},
					{Target: "local", Component: "web", Object: "v1/Service/web/<svc>", Action: "unchanged"}}}}
			pg.Changed, pg.Unchanged, pg.More = changeRows(pg.D)
			return pg
		}(), []string{"terraform_data.vpc", "Deployment/web/web", "/spec/replicas", "ConfigMap/web/old", "act-prune",
			"1 object(s) unchanged", "Service/web/&lt;svc&gt;", "1000 more change(s)"}},
		{"deployment nochanges", &DeploymentPage{Base: base("Deployment 3"), D: store.Deployment{ID: 3, Env: "dev", Status: store.StatusSucceeded}},
			[]string{"No object changes recorded"}},
		{"promotion", &PromotionPage{Base: base("Promotion to main"), Lane: "main", Gates: gatesOf(spec, blocked, ""), CanApprove: true},
			[]string{"Approve candidate", "0 of 1 approval", `href="/deployments/7"`, "&lt;script&gt;"}},
		{"promotion release", &PromotionPage{Base: base("Promotion to release"), Lane: "release", Release: true, CanRelease: true,
			Gates: gatesOf(spec, blocked, ""), Next: &flow.VersionPlan{Tag: "v1.3.0", Bump: "minor", Previous: "v1.2.0",
				Changes: []flow.Conventional{{ID: "abc", Type: "feat", Scope: "web", Description: "greet", Breaking: true}}}},
			[]string{"Next version: v1.3.0", "minor bump from v1.2.0", "breaking", `action="/release"`}},
		{"promotion move", func() *PromotionPage {
			pg := &PromotionPage{Base: base("Release to release"), Lane: "release", Release: true, Gates: gatesOf(spec, nil, ""),
				History: []store.Promotion{{ID: 9, Kind: "release", From: "main", To: "release", Version: "v1.3.0", Override: "CAB-<9>",
					Gates: []store.Gate{{Name: "checks", Passed: true, Reason: "check run 4 passed", Evidence: []string{"check-run:4"}},
						{Name: "lane", Reason: "release was edited by hand", Overridden: true}},
					Changelog: "## v1.3.0\n\n- **web:** greet <b>\n"}}}
			if err := pg.pickMove(t.Context(), nil, 0); err != nil {
				t.Fatal(err)
			}
			return pg
		}(), []string{"Release v1.3.0", `href="/checks/4"`, "check run 4 passed", "overridden", "release was edited by hand",
			"CAB-&lt;9&gt;", "greet &lt;b&gt;", `href="/promotions/release?move=9#move"`}},
		{"promotion nomove", &PromotionPage{Base: base("Promotion to main"), Lane: "main", Gates: gatesOf(spec, nil, "")},
			[]string{"Nothing moved yet"}},
		{"promotion viewer", &PromotionPage{Base: base("Promotion to main"), Lane: "main", Gates: gatesOf(spec, nil, "")},
			[]string{"may not act"}},
		{"checks", &ChecksPage{Base: base("Checks"), Runs: []CheckRow{checkRowOf(store.CheckRun{ID: 3, Counts: map[string]int{"high": 2, "info": 1}})}},
			[]string{"/checks/3", "high", "info"}},
		{"check", &CheckPage{Base: base("Check run 3"), Run: checkRowOf(store.CheckRun{ID: 3, Counts: map[string]int{"critical": 1}}), Max: 1},
			[]string{"<meter", "critical", "No findings recorded"}},
		{"check findings", &CheckPage{Base: base("Check run 4"), Run: checkRowOf(store.CheckRun{ID: 4}), More: 7,
			Groups: findingGroups([]store.Finding{
				{Rule: "FERRY-TF-002", Severity: "low", File: "infra/x.tf", Message: "fmt"},
				{Rule: "FERRY-K8S-004", Severity: "medium", File: "a.yaml", Line: 3, Message: "<b>no limits</b>", Suppressed: "CAB-7"},
				{Rule: "FERRY-SEC-001", Severity: "critical", File: "main.tf", Line: 12, Message: "key found", Resource: "aws_instance.web"}})},
			[]string{`href="/rules#FERRY-SEC-001"`, "main.tf:12", "aws_instance.web", "&lt;b&gt;no limits", "suppressed: CAB-7", "7 more finding(s)"}},
		{"rules", mustRules(t), []string{`id="FERRY-TF-002"`, "terraform fmt", "https://ferry.dev/docs/rules/FERRY-TF-002"}},
		{"events", &EventsPage{Base: base("Events"), Kind: "drift", Next: 9}, []string{"No events match"}},
		{"login", &loginModel{Base: Base{Title: "Log in"}, Next: "/env/dev"}, []string{`name="token"`, `value="/env/dev"`}},
		{"error", &errorModel{Base: base("Forbidden"), Code: 403, Message: "viewer may not promote", Hint: "ask an admin"}, []string{"403", "ask an admin"}},
	}
	for _, tc := range cases {
		name := strings.Fields(tc.name)[0]
		var buf bytes.Buffer
		if err := pages.ExecuteTemplate(&buf, name, tc.model); err != nil {
			t.Errorf("%s: %v", tc.name, err)
			continue
		}
		out := buf.String()
		for _, w := range tc.want {
			if !strings.Contains(out, w) {
				t.Errorf("%s: no %q in\n%s", tc.name, w, out)
			}
		}
		if strings.Contains(out, "<script>alert") || strings.Contains(out, "<script>\n") {
			t.Errorf("%s: unescaped or inline script", tc.name)
		}
	}
}

func TestGatesState(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		plan *flow.Plan
		want string
	}{
		{nil, "unknown"},
		{&flow.Plan{}, "no-candidate"},
		{&flow.Plan{Candidate: "c", UpToDate: true, Allowed: true}, "up-to-date"},
		{&flow.Plan{Candidate: "c", Allowed: true}, "ready"},
		{&flow.Plan{Candidate: "c", Gates: []flow.Gate{{Name: "checks"}}}, "blocked"},
		{&flow.Plan{Candidate: "c", Gates: []flow.Gate{{Name: "checks", Pending: true}}}, "pending"},
		{&flow.Plan{Candidate: "c", Gates: []flow.Gate{{Name: "checks", Pending: true}, {Name: "approvals"}}}, "blocked"},
	} {
		if got := gatesOf(view.PromotionSpec{}, tc.plan, "").State; got != tc.want {
			t.Errorf("plan %+v: state %s, want %s", tc.plan, got, tc.want)
		}
	}
}

func TestSessions(t *testing.T) {
	t.Parallel()
	s := newSessions(time.Hour)
	id := s.create("ferry_tok")
	v, ok := s.get(id)
	if !ok || v.token != "ferry_tok" || len(v.csrf) < 40 {
		t.Fatalf("session %+v %v", v, ok)
	}
	for k := range s.m {
		if k == id || strings.Contains(k, "ferry_tok") {
			t.Fatal("sessions are keyed by the raw ID or the token")
		}
	}
	if _, ok := s.get(id + "x"); ok {
		t.Error("a wrong ID finds a session")
	}
	v.expires = time.Now().Add(-time.Second)
	if _, ok := s.get(id); ok {
		t.Error("an expired session is still valid")
	}
	s.drop(id)
	for range maxSessions + 5 {
		s.create("t")
	}
	if len(s.m) > maxSessions {
		t.Errorf("%d sessions kept, bound %d", len(s.m), maxSessions)
	}
}

func TestRequestChecks(t *testing.T) {
	t.Parallel()
	for p, want := range map[string]string{"/env/dev": "/env/dev", "//evil.example": "/", "/\\evil": "/", "https://evil": "/", "": "/", "/a\r\nSet-Cookie: x": "/"} {
		if got := localPath(p, "/"); got != want {
			t.Errorf("localPath(%q) = %q, want %q", p, got, want)
		}
	}
	post := func(h map[string]string) bool {
		r := httptest.NewRequest("POST", "http://ferry.test/lanes/main/promote", nil)
		for k, v := range h {
			r.Header.Set(k, v)
		}
		return sameOrigin(r)
	}
	if !post(nil) || !post(map[string]string{"Sec-Fetch-Site": "same-origin"}) || !post(map[string]string{"Origin": "http://ferry.test"}) {
		t.Error("a same-origin POST is refused")
	}
	if post(map[string]string{"Sec-Fetch-Site": "cross-site"}) || post(map[string]string{"Origin": "https://evil.example"}) ||
		post(map[string]string{"Sec-Fetch-Site": "same-site"}) {
		t.Error("a cross-site POST passes")
	}
	s := &session{csrf: "right"}
	for v, want := range map[string]bool{"right": true, "wrong": false, "": false, "righ": false} {
		r := httptest.NewRequest("POST", "/x", strings.NewReader(url.Values{"csrf": {v}}.Encode()))
		r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		if got := checkCSRF(r, s); got != want {
			t.Errorf("csrf %q: %v, want %v", v, got, want)
		}
	}
}

func TestObjectParts(t *testing.T) {
	t.Parallel()
	for id, want := range map[string]string{
		"ns_web__ConfigMap":        "ConfigMap ns/web",
		"_ns1__Namespace":          "Namespace ns1",
		"ns_api_apps_Deployment":   "Deployment.apps ns/api",
		"terraform_data.bootstrap": "object terraform_data.bootstrap",
	} {
		k, n := objectParts(id)
		if k+" "+n != want {
			t.Errorf("objectParts(%q) = %s %s, want %s", id, k, n, want)
		}
	}
}

func mustRules(t *testing.T) *RulesPage {
	m, err := RulesOf("p")
	if err != nil {
		t.Fatal(err)
	}
	return &m
}

// TestFindingGroupsOrder: severities most severe first, suppressed last.
func TestFindingGroupsOrder(t *testing.T) {
	t.Parallel()
	gs := findingGroups([]store.Finding{{Severity: "low"}, {Severity: "high", Suppressed: "x"}, {Severity: "info"},
		{Severity: "critical"}, {Severity: "low"}})
	var got []string
	for _, g := range gs {
		got = append(got, fmt.Sprintf("%s:%d", g.Severity, len(g.Findings)))
	}
	if strings.Join(got, " ") != "critical:1 low:2 info:1 suppressed:1" {
		t.Fatalf("groups %v", got)
	}
}
