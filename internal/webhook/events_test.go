package webhook_test

import (
	"bytes"
	"net/http"
	"testing"

	"ferry.dev/ferry/internal/webhook"
)

// TestNonPushEvents covers what a verified delivery may be besides a push:
// a ping (200), another event (202) or a body that does not parse (400).
// None of them reaches the sink.
func TestNonPushEvents(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name     string
		host     string
		body     []byte
		hdr      func(h http.Header)
		wantCode int
		wantBody string
		want     webhook.Stats
	}{
		{name: "github ping", host: "github", body: testdata(t, "github-ping.json"),
			hdr:      func(h http.Header) { h.Set("X-GitHub-Event", "ping") },
			wantCode: 200, wantBody: "pong", want: webhook.Stats{Ping: 1}},
		{name: "bitbucket ping", host: "bitbucket", body: []byte(`{"test": true}`),
			hdr:      func(h http.Header) { h.Set("X-Event-Key", "diagnostics:ping") },
			wantCode: 200, wantBody: "pong", want: webhook.Stats{Ping: 1}},
		{name: "github issues event", host: "github", body: []byte(`{"action":"opened"}`),
			hdr:      func(h http.Header) { h.Set("X-GitHub-Event", "issues") },
			wantCode: 202, wantBody: "ignored", want: webhook.Stats{Ignored: 1}},
		{name: "github no event header", host: "github", body: testdata(t, "github-push.json"),
			hdr:      func(h http.Header) { h.Del("X-GitHub-Event") },
			wantCode: 202, wantBody: "ignored", want: webhook.Stats{Ignored: 1}},
		{name: "github push of a short ref name", host: "github", body: []byte(`{"ref":"develop"}`),
			wantCode: 202, wantBody: "ignored", want: webhook.Stats{Ignored: 1}},
		{name: "gitlab merge request", host: "gitlab", body: []byte(`{"object_kind":"merge_request"}`),
			hdr:      func(h http.Header) { h.Set("X-Gitlab-Event", "Merge Request Hook") },
			wantCode: 202, wantBody: "ignored", want: webhook.Stats{Ignored: 1}},
		{name: "gitea create event", host: "gitea", body: testdata(t, "gitea-push.json"),
			hdr:      func(h http.Header) { h.Set("X-Gitea-Event", "create") },
			wantCode: 202, wantBody: "ignored", want: webhook.Stats{Ignored: 1}},
		{name: "bitbucket pr opened", host: "bitbucket", body: []byte(`{"eventKey":"pr:opened"}`),
			hdr:      func(h http.Header) { h.Set("X-Event-Key", "pr:opened") },
			wantCode: 202, wantBody: "ignored", want: webhook.Stats{Ignored: 1}},
		{name: "github bad json", host: "github", body: []byte(`{"ref":`),
			wantCode: 400, wantBody: "bad_request", want: webhook.Stats{BadRequest: 1}},
		{name: "github form without payload", host: "github", body: []byte(`other=1`),
			hdr:      func(h http.Header) { h.Set("Content-Type", "application/x-www-form-urlencoded") },
			wantCode: 400, wantBody: "bad_request", want: webhook.Stats{BadRequest: 1}},
		{name: "gitlab bad json", host: "gitlab", body: []byte(`not json`),
			wantCode: 400, wantBody: "bad_request", want: webhook.Stats{BadRequest: 1}},
		{name: "gitea json array", host: "gitea", body: []byte(`[{"ref":"refs/heads/x"}]`),
			wantCode: 400, wantBody: "bad_request", want: webhook.Stats{BadRequest: 1}},
		{name: "bitbucket wrong type", host: "bitbucket", body: []byte(`{"changes":"refs/heads/x"}`),
			wantCode: 400, wantBody: "bad_request", want: webhook.Stats{BadRequest: 1}},
		{name: "generic bad json", host: "generic", body: []byte(`{"ref":"refs/heads/x"`),
			wantCode: 400, wantBody: "bad_request", want: webhook.Stats{BadRequest: 1}},
		{name: "generic names only invalid refs", host: "generic", body: []byte(`{"ref":"develop"}`),
			wantCode: 400, wantBody: "bad_request", want: webhook.Stats{BadRequest: 1}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			h := newHarness(t, webhook.Config{Secret: testSecret})
			hdr := hostHeaders(tc.host, testSecret, tc.body, "d-1")
			if tc.hdr != nil {
				tc.hdr(hdr)
			}
			code, body := h.post(t, http.MethodPost, route(tc.host), hdr, bytes.NewReader(tc.body))
			if code != tc.wantCode || body != `{"status":"`+tc.wantBody+`"}`+"\n" {
				t.Fatalf("response = %d %q, want %d %s", code, body, tc.wantCode, tc.wantBody)
			}
			if got := h.sink.got(); len(got) != 0 {
				t.Fatalf("sink called with %#v", got)
			}
			if got := h.recv.Stats(); got != tc.want {
				t.Fatalf("stats = %+v, want %+v", got, tc.want)
			}
		})
	}
}

func TestUnsignedPingIsRejected(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, path string
		hdr        http.Header
	}{
		{"github", "/hooks/github", http.Header{"X-Github-Event": {"ping"}}},
		{"bitbucket", "/hooks/bitbucket", http.Header{"X-Event-Key": {"diagnostics:ping"}}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			h := newHarness(t, webhook.Config{Secret: testSecret})
			if code, body := h.post(t, http.MethodPost, tc.path, tc.hdr, bytes.NewReader([]byte(`{}`))); code != 401 {
				t.Fatalf("status = %d %q, want 401", code, body)
			}
			if got, want := h.recv.Stats(), (webhook.Stats{Unauthorized: 1}); got != want {
				t.Fatalf("stats = %+v, want %+v", got, want)
			}
		})
	}
}
