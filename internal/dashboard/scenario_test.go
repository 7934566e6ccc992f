package dashboard_test

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"ferry.dev/ferry/internal/store"
	"ferry.dev/ferry/internal/testenv"
)

// TestDashboard is the package's one scenario on the harness plane, a
// real Git remote and a SQLite store, in one headless Chromium: log in
// with a token, deploy dev and staging from the pages, see the pipeline,
// approve the promotion to main and watch another user's pipeline move
// live, release, see a viewer without buttons and its forged POSTs
// refused with nothing changed; every page is checked by axe-core, in
// light and dark schemes, on a laptop and a phone, and screenshotted.
// The HTTP subtests hold the headers, cookie and sizes to the contract.
func TestDashboard(t *testing.T) {
	began := time.Now()
	f := newFixture(t, options{kube: true})
	t.Logf("fixture ready in %v; screenshots in %s", time.Since(began).Round(time.Millisecond), artifacts())
	greeting := strings.ReplaceAll(strings.ReplaceAll(webYAML, "NAMESPACE", f.ns), "hello", "bonjour")
	// A file terraform fmt would rewrite: a low finding the checks record.
	f.commitOn("develop", "infra/notes.tf", "locals {\nx=1\n}\n", "chore: notes")
	feat := f.commitOn("develop", "apps/web/web.yaml", greeting, "feat: greet in French")
	s := &steps{t: t, f: f, base: f.srv.URL, feat: feat}
	t.Run("deployer deploys from the pages", s.deploy)
	t.Run("approve and watch the pipeline move", s.approve)
	t.Run("admin releases", s.release)
	t.Run("viewer sees no buttons and is refused", s.viewer)
	t.Run("every page is accessible", s.accessibility)
	t.Run("headers cookie and sizes", s.http)
}

type steps struct {
	t    *testing.T // the scenario's: tabs that outlive a step
	f    *fixture
	base string
	feat string
	dep  context.Context // the deployer's tab
}

// loginAs opens a fresh browser context and logs in as who.
func (s *steps) loginAs(t *testing.T, who string) context.Context {
	t.Helper()
	ctx := tab(t)
	do(t, ctx, "open the dashboard", chromedp.Navigate(s.base+"/"))
	waitText(t, ctx, "h1", "Log in", 10*time.Second)
	do(t, ctx, "log in as "+who,
		chromedp.SendKeys(chromedp.CSS("#token"), s.f.tokens[who]),
		chromedp.Submit(chromedp.CSS("#token")))
	waitText(t, ctx, "h1", "Pipeline", 30*time.Second)
	waitText(t, ctx, ".who", who, 5*time.Second)
	return ctx
}

func (s *steps) open(t *testing.T, ctx context.Context, path, h1 string) {
	t.Helper()
	began := time.Now()
	do(t, ctx, "open "+path, chromedp.Navigate(s.base+path))
	waitText(t, ctx, "h1", h1, 30*time.Second)
	if d := time.Since(began); d > 2*time.Second {
		t.Logf("opening %s took %v", path, d.Round(time.Millisecond))
	}
}

func (s *steps) click(t *testing.T, ctx context.Context, sel string) {
	t.Helper()
	do(t, ctx, "click "+sel, chromedp.Click(chromedp.CSS(sel)))
}

// syncFromPage syncs env from its page and waits on the deployment page
// for it to succeed: the page updates itself from the event stream.
func (s *steps) syncFromPage(t *testing.T, ctx context.Context, env string) {
	t.Helper()
	s.open(t, ctx, "/env/"+env, "Environment "+env)
	s.click(t, ctx, `form[action="/env/`+env+`/sync"] button`)
	waitText(t, ctx, "h1", "Deployment", 30*time.Second)
	waitText(t, ctx, "main dl", "succeeded", 2*time.Minute)
}

func (s *steps) deploy(t *testing.T) {
	s.dep = s.loginAs(s.t, "deployer")
	ctx := s.dep
	if c := eval[string](t, ctx, "document.cookie"); strings.Contains(c, "ferry_session") {
		t.Errorf("the session cookie is readable by scripts: %q", c)
	}
	s.syncFromPage(t, ctx, "dev")
	screenshot(t, ctx, "01-deployment-dev")
	if got := text(t, ctx, ".timeline"); !strings.Contains(got, "local") || !strings.Contains(got, "web") {
		t.Errorf("the deployment's timeline lacks target local / component web:\n%s", got)
	}
	if got := text(t, ctx, "main"); !strings.Contains(got, "ConfigMap") {
		t.Errorf("the deployment page lists no applied ConfigMap:\n%s", got)
	}
	if got := text(t, ctx, "table.changes"); !strings.Contains(got, "create") || !strings.Contains(got, "ConfigMap/"+s.f.ns+"/web") {
		t.Errorf("the deployment's changes lack the created ConfigMap %s/web:\n%s", s.f.ns, got)
	}

	// Drift in dev: the ConfigMap edited by hand, found by the agent's
	// drift check and recorded as the agent records it; the environment
	// page lists the object and the field.
	s.f.driftCheck(t, "dev", s.feat, func(ctx context.Context) {
		kc := testenv.ControlPlaneFor(t).Client().CoreV1().ConfigMaps(s.f.ns)
		cm, err := kc.Get(ctx, "web", metav1.GetOptions{})
		if err != nil {
			t.Fatal(err)
		}
		cm.Data["greeting"] = "edited by hand"
		if _, err := kc.Update(ctx, cm, metav1.UpdateOptions{FieldManager: "kubectl-edit"}); err != nil {
			t.Fatal(err)
		}
	})
	s.open(t, ctx, "/env/dev", "Environment dev")
	if got := text(t, ctx, "table.drift"); !strings.Contains(got, "ConfigMap/"+s.f.ns+"/web") || !strings.Contains(got, "greeting") {
		t.Errorf("dev's page does not list the drifted ConfigMap and its field:\n%s", got)
	}

	// Promote to staging (its checks gate runs the checks), then sync it.
	s.open(t, ctx, "/promotions/staging", "Promotion to staging")
	waitText(t, ctx, "main table", "not checked yet", 10*time.Second)
	s.click(t, ctx, "#promote")
	waitText(t, ctx, ".flash", "promoted", 60*time.Second)
	// The checks gate's run lists its finding, linked to the rule's entry.
	s.open(t, ctx, "/checks/1", "Check run 1")
	if got := text(t, ctx, "main table.findings"); !strings.Contains(got, "FERRY-TF-002") || !strings.Contains(got, "infra/notes.tf:2") {
		t.Errorf("check run 1 lists no FERRY-TF-002 finding at infra/notes.tf:2:\n%s", got)
	}
	s.click(t, ctx, "table.findings a")
	waitText(t, ctx, "h1", "Rules", 10*time.Second)
	waitText(t, ctx, `section[id="FERRY-TF-002"]`, "not formatted", 10*time.Second)
	if got := eval[string](t, ctx, "location.pathname + location.hash"); got != "/rules#FERRY-TF-002" {
		t.Errorf("the finding's rule link lands on %q, want /rules#FERRY-TF-002", got)
	}
	s.syncFromPage(t, ctx, "staging")

	// The pipeline after the deploys: dev and staging run the feature,
	// main waits for an approval.
	s.open(t, ctx, "/", "Pipeline")
	lanes := text(t, ctx, ".lanes")
	for _, want := range []string{"develop", "staging", "main", "release", "dev", "production", s.feat[:12], "synced", "waits for approvals"} {
		if !strings.Contains(lanes, want) {
			t.Errorf("the pipeline lacks %q:\n%s", want, lanes)
		}
	}
	// main lists the commits waiting for it on staging, newest first.
	waiting := eval[string](t, ctx, `[...document.querySelectorAll(".lanes details.waiting")].map(d => d.textContent).join("|")`)
	if !strings.Contains(waiting, "2 commit(s) on staging") || !strings.Contains(waiting, s.feat[:12]+" feat: greet in French") ||
		strings.Index(waiting, "greet in French") > strings.Index(waiting, "chore: notes") {
		t.Errorf("the pipeline's waiting commits: %q", waiting)
	}
	screenshot(t, ctx, "02-pipeline-after-deploy")
}

func (s *steps) approve(t *testing.T) {
	if s.dep == nil {
		t.Skip("needs the deploy step")
	}
	ctx := s.dep
	// An admin watches the pipeline in its own browser.
	watch := s.loginAs(t, "admin")
	mainBefore := s.f.head("main")
	eval[chromedp.Void](t, watch, "window.ferryNotReloaded = true")
	waitText(t, watch, "#live-state", "live", 10*time.Second)

	s.open(t, ctx, "/promotions/main", "Promotion to main")
	gates := text(t, ctx, "main table")
	if !strings.Contains(gates, "0 of 1 approval") || !strings.Contains(gates, "deployed") {
		t.Errorf("main's gates before the approval:\n%s", gates)
	}
	screenshot(t, ctx, "03-promotion-main-blocked")
	do(t, ctx, "comment", chromedp.SendKeys(chromedp.CSS("#comment"), "CAB-1"))
	s.click(t, ctx, "#approve")
	waitText(t, ctx, ".flash", "deployer approved", 30*time.Second)
	waitText(t, ctx, "main table", "1 of 1 approval", 10*time.Second)
	waitText(t, ctx, "main", "ready to promote", 10*time.Second)
	s.click(t, ctx, "#promote")
	waitText(t, ctx, ".flash", "promoted", 60*time.Second)
	mainAfter := s.f.head("main")
	if mainAfter == mainBefore {
		t.Fatalf("main did not move (still %s)", mainBefore)
	}
	// The move's record: the gates it passed, with why.
	waitText(t, ctx, "table.recorded-gates", "1 of 1 approval", 10*time.Second)
	if got := text(t, ctx, "table.recorded-gates"); !strings.Contains(got, "deployed") || strings.Contains(got, "failed") {
		t.Errorf("the promotion to main's recorded gates:\n%s", got)
	}
	screenshot(t, ctx, "04-promotion-main-done")

	// The admin's page moved by itself.
	waitText(t, watch, ".lanes", mainAfter[:12], 20*time.Second)
	if !eval[bool](t, watch, "window.ferryNotReloaded === true") {
		t.Error("the watching page was reloaded; it should have updated in place")
	}
	screenshot(t, watch, "05-pipeline-moved-live")
}

func (s *steps) release(t *testing.T) {
	if s.dep == nil {
		t.Skip("needs the deploy step")
	}
	ctx := s.loginAs(t, "admin")
	s.open(t, ctx, "/promotions/release", "Release to release")
	waitText(t, ctx, "main", "Next version: v0.2.0", 5*time.Second)
	waitText(t, ctx, "main .changelog", "greet in French", 5*time.Second)
	if n := eval[int](t, ctx, `document.querySelectorAll('form[action="/release"]').length`); n != 1 {
		t.Fatalf("admin sees %d release forms, want 1", n)
	}
	s.click(t, ctx, "#release")
	waitText(t, ctx, ".flash", "released v0.2.0", 60*time.Second)
	if !strings.Contains(s.f.refs(), "refs/tags/v0.2.0") {
		t.Errorf("no tag v0.2.0 on the remote:\n%s", s.f.refs())
	}
	// The release's record: its gates and changelog.
	waitText(t, ctx, "#move", "Release v0.2.0", 10*time.Second)
	if got := text(t, ctx, "main"); !strings.Contains(got, "greet in French") || !strings.Contains(text(t, ctx, "table.recorded-gates"), "checks") {
		t.Errorf("the release page lacks v0.2.0's recorded gates or changelog:\n%s", got)
	}
	s.syncFromPage(t, ctx, "production")
	s.open(t, ctx, "/", "Pipeline")
	waitText(t, ctx, ".lanes", "v0.2.0", 10*time.Second)
	screenshot(t, ctx, "06-pipeline-released")

	// Roll production back to v0.1.0 from its page: a commit, then a sync.
	s.open(t, ctx, "/env/production", "Environment production")
	if opts := eval[[]string](t, ctx, `[...document.querySelectorAll("#tags option")].map(o => o.value)`); len(opts) == 0 || opts[0] != "v0.2.0" {
		t.Errorf("rollback offers %v, want v0.2.0 first", opts)
	}
	do(t, ctx, "rollback tag", chromedp.SendKeys(chromedp.CSS("#to"), "v0.1.0"))
	s.click(t, ctx, `form[action="/env/production/rollback"] button`)
	waitText(t, ctx, "h1", "Deployment", 30*time.Second)
	waitText(t, ctx, "main dl", "succeeded", 2*time.Minute)
	s.open(t, ctx, "/", "Pipeline")
	waitText(t, ctx, ".lanes", "rolled back to v0.1.0", 10*time.Second)
	screenshot(t, ctx, "07-pipeline-rolled-back")
}

// records counts what an action would change.
func (s *steps) records(t *testing.T) string {
	ctx := context.Background()
	ps, err := s.f.st.Promotions(ctx, store.PromotionFilter{Limit: 500})
	if err != nil {
		t.Fatal(err)
	}
	ds, err := s.f.st.Deployments(ctx, store.DeploymentFilter{Limit: 500})
	if err != nil {
		t.Fatal(err)
	}
	evs, err := s.f.st.Events(ctx, store.EventFilter{Limit: 1})
	if err != nil {
		t.Fatal(err)
	}
	last := int64(0)
	if len(evs) > 0 {
		last = evs[0].ID
	}
	return fmt.Sprintf("%d promotions, %d deployments, last event %d\n%s", len(ps), len(ds), last, s.f.refs())
}

func (s *steps) viewer(t *testing.T) {
	ctx := s.loginAs(t, "viewer")
	for _, path := range []string{"/promotions/main", "/promotions/release", "/env/staging", "/env/production"} {
		do(t, ctx, "open "+path, chromedp.Navigate(s.base+path))
		waitText(t, ctx, ".who", "viewer", 10*time.Second)
		if n := eval[int](t, ctx, `document.querySelectorAll('main form[method="post"]').length`); n != 0 {
			t.Errorf("the viewer sees %d action form(s) on %s", n, path)
		}
	}
	s.open(t, ctx, "/promotions/main", "Promotion to main")
	waitText(t, ctx, "main", "may not act", 5*time.Second)
	screenshot(t, ctx, "08-viewer-promotion-main")

	before := s.records(t)
	// Forged from the viewer's own page, with its valid CSRF token: the
	// API's authorization refuses. Without the token: the CSRF check does.
	for _, tc := range []struct{ path, body string }{
		{"/lanes/main/promote", "dryRun=off"},
		{"/lanes/main/approve", "comment=forged"},
		{"/env/staging/sync", ""},
		{"/env/production/rollback", "to=v0.1.0"},
		{"/release", "bump=major"},
	} {
		for _, withCSRF := range []bool{true, false} {
			js := fmt.Sprintf(`(() => { const b = new URLSearchParams(%q); if (%v) b.set("csrf", document.querySelector('input[name=csrf]').value);
				return fetch(%q, {method: "POST", body: b, redirect: "manual"}).then(r => r.status); })()`, tc.body, withCSRF, tc.path)
			if code := eval[int](t, ctx, js); code != http.StatusForbidden {
				t.Errorf("viewer's POST %s (csrf %v) = %d, want 403", tc.path, withCSRF, code)
			}
		}
	}
	// And from outside a browser, with the viewer's session cookie.
	c := s.f.client()
	s.f.login(c, "viewer")
	resp, err := c.PostForm(s.base+"/lanes/main/promote", url.Values{"csrf": {"guess"}})
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusForbidden {
		t.Errorf("viewer's POST with a wrong CSRF token = %d, want 403", resp.StatusCode)
	}
	if after := s.records(t); after != before {
		t.Errorf("the viewer's refused POSTs changed something:\nbefore %s\nafter %s", before, after)
	}
}

func (s *steps) accessibility(t *testing.T) {
	ctx := s.loginAs(t, "admin")
	pages := []struct{ path, h1, name string }{
		{"/", "Pipeline", "pipeline"},
		{"/env/staging", "Environment staging", "environment"},
		{"/deployments/1", "Deployment 1", "deployment"},
		{"/promotions/main", "Promotion to main", "promotion"},
		{"/promotions/release", "Release to release", "release"},
		{"/checks", "Check runs", "checks"},
		{"/checks/1", "Check run 1", "check"},
		{"/rules", "Rules", "rules"},
		{"/events", "Events", "events"},
		{"/no/such/page", "404", "not-found"},
	}
	for _, dark := range []bool{false, true} {
		darkMode(t, ctx, dark)
		for _, p := range pages {
			s.open(t, ctx, p.path, p.h1)
			scheme := "light"
			if dark {
				scheme = "dark"
			}
			accessible(t, ctx, p.name+" ("+scheme+")")
			screenshot(t, ctx, "10-"+p.name+"-"+scheme)
			// Nothing from another host.
			other := eval[[]string](t, ctx, `performance.getEntriesByType("resource").map(e => e.name).filter(u => !u.startsWith(location.origin))`)
			if len(other) > 0 {
				t.Errorf("%s loaded from other hosts: %v", p.path, other)
			}
		}
	}
	darkMode(t, ctx, false)
	phone(t, ctx, true)
	for _, p := range pages[:4] {
		s.open(t, ctx, p.path, p.h1)
		accessible(t, ctx, p.name+" (phone)")
		if over := eval[bool](t, ctx, "document.documentElement.scrollWidth > window.innerWidth + 1"); over {
			t.Errorf("%s is wider than a phone's screen", p.path)
		}
		screenshot(t, ctx, "20-"+p.name+"-phone")
	}
	phone(t, ctx, false)
	login := tab(t)
	s.open(t, login, "/login", "Log in")
	accessible(t, login, "login")
	screenshot(t, login, "00-login")
}

func (s *steps) http(t *testing.T) {
	f := s.f
	anon := f.client()
	resp, _ := f.get(anon, "/")
	if resp.StatusCode != http.StatusSeeOther || !strings.HasPrefix(resp.Header.Get("Location"), "/login") {
		t.Errorf("GET / without a session = %s to %q, want a redirect to /login", resp.Status, resp.Header.Get("Location"))
	}
	c := f.client()
	lr := f.login(c, "viewer")
	cookie := lr.Header.Get("Set-Cookie")
	for _, want := range []string{"__Host-ferry_session=", "HttpOnly", "Secure", "SameSite=Strict", "Path=/"} {
		if !strings.Contains(cookie, want) {
			t.Errorf("session cookie %q lacks %s", cookie, want)
		}
	}
	if strings.Contains(cookie, strings.TrimPrefix(f.tokens["viewer"], "ferry_")) {
		t.Error("the session cookie carries the token")
	}
	bad := f.client()
	br, err := bad.PostForm(f.srv.URL+"/login", url.Values{"token": {"ferry_wrong"}})
	if err != nil {
		t.Fatal(err)
	}
	br.Body.Close()
	if br.StatusCode != http.StatusUnauthorized || br.Header.Get("Set-Cookie") != "" {
		t.Errorf("a wrong token's login = %s (cookie %q), want 401 and no cookie", br.Status, br.Header.Get("Set-Cookie"))
	}
	req, _ := http.NewRequest("POST", f.srv.URL+"/login", strings.NewReader(url.Values{"token": {f.tokens["viewer"]}}.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Origin", "https://evil.example")
	if r, err := anon.Do(req); err != nil || r.StatusCode != http.StatusForbidden {
		t.Errorf("a login posted from another site: %v %v, want 403", r, err)
	}
	if r, _ := f.get(c, "/login?next=//evil.example/"); r.Header.Get("Location") != "/" {
		t.Errorf("?next= sends to %q, want / (no open redirect)", r.Header.Get("Location"))
	}

	_, css := f.get(c, "/assets/ferry.css")
	_, js := f.get(c, "/assets/live.js")
	for _, path := range []string{"/", "/env/staging", "/env/production", "/deployments/1", "/promotions/main", "/promotions/release", "/checks", "/checks/1", "/rules", "/events", "/login"} {
		resp, body := f.get(c, path)
		if resp.StatusCode != http.StatusOK && !(path == "/login" && resp.StatusCode == http.StatusSeeOther) {
			t.Errorf("GET %s = %s", path, resp.Status)
			continue
		}
		h := resp.Header
		for k, want := range map[string]string{
			"Content-Security-Policy": "default-src 'self'",
			"X-Content-Type-Options":  "nosniff",
			"Referrer-Policy":         "no-referrer",
			"X-Frame-Options":         "DENY",
		} {
			if !strings.Contains(h.Get(k), want) {
				t.Errorf("GET %s: %s = %q, want %q", path, k, h.Get(k), want)
			}
		}
		if csp := h.Get("Content-Security-Policy"); !strings.Contains(csp, "frame-ancestors 'none'") || strings.Contains(csp, "unsafe-inline") {
			t.Errorf("GET %s: CSP %q", path, csp)
		}
		if strings.Contains(body, "<script>") || strings.Contains(body, " style=") || strings.Contains(body, `src="http`) || strings.Contains(body, `href="http`) {
			t.Errorf("GET %s has an inline script or style, or a link to another host", path)
		}
		for _, tok := range f.tokens {
			if strings.Contains(body, tok) {
				t.Errorf("GET %s shows a token", path)
			}
		}
		total := len(body) + len(css) + len(js)
		t.Logf("page %-20s %6d bytes, with assets %6d bytes", path, len(body), total)
		if total > 150<<10 {
			t.Errorf("GET %s: %d bytes with assets, more than 150 KB", path, total)
		}
	}
	// Read without JavaScript: the page itself carries the state.
	if _, body := f.get(c, "/"); !strings.Contains(body, "rolled back to v0.1.0") || !strings.Contains(body, "staging") {
		t.Error("the pipeline's HTML alone does not show the lanes")
	}
	// Logout needs the CSRF token, and ends the session.
	if r, err := c.PostForm(f.srv.URL+"/logout", url.Values{}); err != nil || r.StatusCode != http.StatusForbidden {
		t.Errorf("logout without the CSRF token: %v %v, want 403", r, err)
	}
}
