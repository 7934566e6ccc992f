package notify

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"ferry.dev/ferry/internal/platform"
)

const rev = "0123456789abcdef0123456789abcdef01234567"

// request is what a stand-in server saw.
type seen struct {
	method, path string
	header       http.Header
	body         map[string]any
}

// standIn records every request and answers with answer(path).
type standIn struct {
	mu   sync.Mutex
	reqs []seen
}

func (s *standIn) handler(t *testing.T, answer func(w http.ResponseWriter, r *http.Request, body []byte)) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		raw, _ := io.ReadAll(r.Body)
		var body map[string]any
		if err := json.Unmarshal(raw, &body); err != nil {
			t.Errorf("%s %s: body is not a JSON object: %s", r.Method, r.URL, raw)
		}
		s.mu.Lock()
		s.reqs = append(s.reqs, seen{r.Method, r.URL.EscapedPath(), r.Header.Clone(), body})
		s.mu.Unlock()
		answer(w, r, raw)
	})
}

func (s *standIn) all() []seen {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]seen(nil), s.reqs...)
}

// TestSlack: the server is a stand-in for Slack's incoming webhooks
// (hooks.slack.com cannot be reached from these machines): it takes a JSON
// {"text"} POST on the webhook's secret path and answers "ok".
func TestSlack(t *testing.T) {
	t.Parallel()
	var s standIn
	srv := httptest.NewServer(s.handler(t, func(w http.ResponseWriter, r *http.Request, _ []byte) {
		if r.URL.Path != "/services/T000/B000/XXXX" || r.Header.Get("Content-Type") != "application/json" {
			http.Error(w, "no_service", http.StatusNotFound)
			return
		}
		io.WriteString(w, "ok")
	}))
	defer srv.Close()
	url := srv.URL + "/services/T000/B000/XXXX"
	st := openStore(t)
	p := testPlatform(t, "      - {name: team, slack: {url: {file: "+secretFile(t, url)+"}}}\n",
		"      - {triggers: [on-deploy-failed], sinks: [team]}\n")
	d := fast(st, 3)
	d.Notify(p, Event{Trigger: platform.OnDeployFailed, Env: "staging", Revision: rev, Message: "health timeout"})
	d.Notify(p, deployed("staging", rev)) // no rule sends on-deployed
	d.Close(5 * time.Second)
	reqs := s.all()
	if len(reqs) != 1 {
		t.Fatalf("slack got %d requests, want 1", len(reqs))
	}
	text, _ := reqs[0].body["text"].(string)
	for _, want := range []string{":x:", "demo: deploy failed in staging at 0123456789ab", "health timeout"} {
		if !strings.Contains(text, want) {
			t.Errorf("slack text %q lacks %q", text, want)
		}
	}
	if got := records(t, st, EventSent); len(got) != 1 || got[0].Sink != "team" || got[0].Attempts != 1 || got[0].Trigger != "on-deploy-failed" {
		t.Errorf("sent records = %+v", got)
	}
	assertNoSecret(t, st, "/services/T000/B000/XXXX")
}

// TestWebhookSignature: the receiver checks the signature over the raw
// body with its own HMAC code, refuses stale timestamps and replayed
// delivery IDs, the way a receiver of ferry's webhooks should.
func TestWebhookSignature(t *testing.T) {
	t.Parallel()
	key := "hmac-key-for-the-test"
	var mu sync.Mutex
	delivered := map[string]bool{}
	var got []WebhookPayload
	verify := func(r *http.Request, raw []byte) int {
		mac := hmac.New(sha256.New, []byte(key))
		mac.Write(raw)
		want := "sha256=" + hex.EncodeToString(mac.Sum(nil))
		if !hmac.Equal([]byte(r.Header.Get("X-Ferry-Signature-256")), []byte(want)) {
			return http.StatusUnauthorized
		}
		ts, err := strconv.ParseInt(r.Header.Get("X-Ferry-Timestamp"), 10, 64)
		if err != nil || time.Since(time.Unix(ts, 0)) > 5*time.Minute {
			return http.StatusUnauthorized
		}
		var p WebhookPayload
		if json.Unmarshal(raw, &p) != nil || p.Delivery != r.Header.Get("X-Ferry-Delivery") || p.SentAt.Unix() != ts {
			return http.StatusBadRequest
		}
		mu.Lock()
		defer mu.Unlock()
		if delivered[p.Delivery] {
			return http.StatusConflict // a replay
		}
		delivered[p.Delivery] = true
		got = append(got, p)
		return http.StatusNoContent
	}
	var replay func() int
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		raw, _ := io.ReadAll(r.Body)
		code := verify(r, raw)
		mu.Lock()
		if code == http.StatusNoContent && replay == nil {
			h := r.Header.Clone()
			replay = func() int { return verify(&http.Request{Header: h}, raw) }
		}
		mu.Unlock()
		w.WriteHeader(code)
	}))
	defer srv.Close()
	st := openStore(t)
	p := testPlatform(t, "      - name: audit\n        webhook: {url: {file: "+secretFile(t, srv.URL+"/ferry")+"}, secret: {file: "+secretFile(t, key)+"}}\n",
		"      - {triggers: [on-released], sinks: [audit]}\n")
	d := fast(st, 3)
	d.Notify(p, Event{Trigger: platform.OnReleased, Env: "production", Revision: rev, Version: "v1.2.0", Message: "released v1.2.0"})
	d.Close(5 * time.Second)
	mu.Lock() // the server's goroutines wrote them
	accepted, replayOnce := got, replay
	mu.Unlock()
	if len(accepted) != 1 || accepted[0].Trigger != platform.OnReleased || accepted[0].Version != "v1.2.0" || accepted[0].Platform != "demo" {
		t.Fatalf("receiver accepted %+v", accepted)
	}
	if code := replayOnce(); code != http.StatusConflict {
		t.Errorf("replayed delivery: receiver answered %d, want 409", code)
	}
	if rs := records(t, st, EventSent); len(rs) != 1 || rs[0].Delivery != accepted[0].Delivery {
		t.Errorf("sent records %+v, want the delivery %s", rs, accepted[0].Delivery)
	}

	// A sink with the wrong key is refused by the receiver: 401 is not
	// retried, and the failure is recorded without the key.
	st2 := openStore(t)
	p2 := testPlatform(t, "      - name: audit\n        webhook: {url: {file: "+secretFile(t, srv.URL+"/ferry")+"}, secret: {file: "+secretFile(t, "wrong-key-value")+"}}\n",
		"      - {triggers: [on-released], sinks: [audit]}\n")
	d2 := fast(st2, 3)
	d2.Notify(p2, Event{Trigger: platform.OnReleased, Revision: rev})
	d2.Close(5 * time.Second)
	if rs := records(t, st2, EventFailed); len(rs) != 1 || rs[0].Attempts != 1 || !strings.Contains(rs[0].Error, "HTTP 401") {
		t.Errorf("wrong key: failed records %+v, want one after 1 attempt with HTTP 401", rs)
	}
	assertNoSecret(t, st2, "wrong-key-value")
}

// gitHostCase is one Git host's API shape, as its stand-in checks it.
type gitHostCase struct {
	kind, sinkYAML string
	statusPath     string // escaped path of the commit status endpoint
	auth           [2]string
	contextField   string
	state          string // of on-deploy-failed
}

// TestGitHosts: each server is a stand-in for the host's REST API
// (GitHub, GitLab and Gitea cannot be reached from these machines),
// checking the path, the authentication header and the body fields of
// its commit status endpoint.
func TestGitHosts(t *testing.T) {
	t.Parallel()
	for _, tc := range []gitHostCase{
		{kind: "github", sinkYAML: "github: {apiURL: @SRV@, repository: acme/platform, token: {file: @TOKEN@}}",
			statusPath: "/repos/acme/platform/statuses/" + rev, auth: [2]string{"Authorization", "Bearer tok-github"},
			contextField: "context", state: "failure"},
		{kind: "gitlab", sinkYAML: "gitlab: {apiURL: @SRV@/api/v4, repository: acme/infra/platform, token: {file: @TOKEN@}, context: deploy}",
			statusPath: "/api/v4/projects/acme%2Finfra%2Fplatform/statuses/" + rev, auth: [2]string{"Private-Token", "tok-gitlab"},
			contextField: "name", state: "failed"},
		{kind: "gitea", sinkYAML: "gitea: {apiURL: @SRV@/api/v1, repository: acme/platform, token: {file: @TOKEN@}}",
			statusPath: "/api/v1/repos/acme/platform/statuses/" + rev, auth: [2]string{"Authorization", "token tok-gitea"},
			contextField: "context", state: "failure"},
	} {
		t.Run(tc.kind, func(t *testing.T) {
			t.Parallel()
			var s standIn
			srv := httptest.NewServer(s.handler(t, func(w http.ResponseWriter, r *http.Request, _ []byte) {
				if r.Method != http.MethodPost || r.URL.EscapedPath() != tc.statusPath {
					http.Error(w, `{"message":"Not Found"}`, http.StatusNotFound)
					return
				}
				if r.Header.Get(tc.auth[0]) != tc.auth[1] {
					http.Error(w, `{"message":"Bad credentials"}`, http.StatusUnauthorized)
					return
				}
				w.WriteHeader(http.StatusCreated)
				io.WriteString(w, `{"id": 1}`)
			}))
			defer srv.Close()
			token := strings.SplitN(tc.auth[1], " ", 2)
			yaml := strings.NewReplacer("@SRV@", srv.URL, "@TOKEN@", secretFile(t, token[len(token)-1])).Replace(tc.sinkYAML)
			st := openStore(t)
			p := testPlatform(t, "      - {name: host, "+yaml+"}\n", "      - {triggers: [on-deployed, on-deploy-failed], sinks: [host]}\n")
			d := fast(st, 2)
			d.Notify(p, Event{Trigger: platform.OnDeployFailed, Env: "staging", Revision: rev, Message: "sync failed"})
			d.Notify(p, Event{Trigger: platform.OnDeployed, Env: "staging"}) // no revision: skipped
			d.Close(5 * time.Second)
			reqs := s.all()
			if len(reqs) != 1 {
				t.Fatalf("got %d requests, want 1: %+v", len(reqs), reqs)
			}
			b := reqs[0].body
			wantContext := "ferry/staging"
			if tc.kind == "gitlab" {
				wantContext = "deploy/staging"
			}
			if b["state"] != tc.state || b[tc.contextField] != wantContext || b["description"] != "sync failed" {
				t.Errorf("status body = %v, want state %s, %s %s", b, tc.state, tc.contextField, wantContext)
			}
			if rs := records(t, st, EventSent); len(rs) != 1 || rs[0].Kind != tc.kind {
				t.Errorf("sent records = %+v", rs)
			}
			assertNoSecret(t, st, token[len(token)-1])
		})
	}
}

// TestGitHubDeployments: the stand-in for GitHub's deployments API creates
// a deployment (201 with its id) and takes its status.
func TestGitHubDeployments(t *testing.T) {
	t.Parallel()
	var s standIn
	srv := httptest.NewServer(s.handler(t, func(w http.ResponseWriter, r *http.Request, _ []byte) {
		switch r.URL.Path {
		case "/repos/acme/platform/statuses/" + rev, "/repos/acme/platform/deployments/42/statuses":
			w.WriteHeader(http.StatusCreated)
			io.WriteString(w, `{"id": 9}`)
		case "/repos/acme/platform/deployments":
			w.WriteHeader(http.StatusCreated)
			io.WriteString(w, `{"id": 42, "environment": "production"}`)
		default:
			http.Error(w, `{"message":"Not Found"}`, http.StatusNotFound)
		}
	}))
	defer srv.Close()
	st := openStore(t)
	p := testPlatform(t, "      - {name: gh, github: {apiURL: "+srv.URL+", repository: acme/platform, token: {file: "+secretFile(t, "tok")+"}, deployments: true}}\n",
		"      - {triggers: [on-deployed, on-drift], sinks: [gh]}\n")
	d := fast(st, 2)
	d.Notify(p, deployed("production", rev))
	d.Close(5 * time.Second)
	reqs := s.all()
	if len(reqs) != 3 {
		t.Fatalf("got %d requests, want status, deployment, deployment status: %+v", len(reqs), reqs)
	}
	if dep := reqs[1].body; dep["ref"] != rev || dep["environment"] != "production" || dep["auto_merge"] != false {
		t.Errorf("deployment body = %v", dep)
	}
	if ds := reqs[2]; ds.path != "/repos/acme/platform/deployments/42/statuses" || ds.body["state"] != "success" {
		t.Errorf("deployment status = %s %v", ds.path, ds.body)
	}
}
