package webhook_test

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"ferry.dev/ferry/internal/webhook"
)

func TestRouting(t *testing.T) {
	t.Parallel()
	body := samplePayload(t, "github")
	signed := hostHeaders("github", testSecret, body, "d-1")
	tests := []struct {
		name, method, path string
		wantCode           int
		wantAllow          string
	}{
		{"get", http.MethodGet, "/hooks/github", 405, "POST"},
		{"put", http.MethodPut, "/hooks/gitlab", 405, "POST"},
		{"head", http.MethodHead, "/hooks/generic", 405, "POST"},
		{"unknown provider", http.MethodPost, "/hooks/svn", 404, ""},
		{"get unknown provider", http.MethodGet, "/hooks/svn", 404, ""},
		{"no provider", http.MethodPost, "/hooks/", 404, ""},
		{"extra segment", http.MethodPost, "/hooks/github/x", 404, ""},
		{"other path", http.MethodPost, "/github", 404, ""},
		{"provider case matters", http.MethodPost, "/hooks/GitHub", 404, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			h := newHarness(t, webhook.Config{Secret: testSecret})
			req, err := http.NewRequest(tc.method, h.srv.URL+tc.path, bytes.NewReader(body))
			if err != nil {
				t.Fatal(err)
			}
			req.Header = signed.Clone()
			resp, err := h.srv.Client().Do(req)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if resp.StatusCode != tc.wantCode || resp.Header.Get("Allow") != tc.wantAllow {
				t.Fatalf("%s %s = %d Allow %q, want %d Allow %q", tc.method, tc.path,
					resp.StatusCode, resp.Header.Get("Allow"), tc.wantCode, tc.wantAllow)
			}
			if got := h.sink.got(); len(got) != 0 {
				t.Fatalf("sink called with %#v", got)
			}
			if got := h.recv.Stats(); got != (webhook.Stats{}) {
				t.Fatalf("stats = %+v, want none counted", got)
			}
		})
	}
}

// TestEmptySecretRejectsEverything: no secret is no unsigned mode. Each host
// signs with the empty key (or sends an empty token), which a receiver
// without a secret could be tempted to accept.
func TestEmptySecretRejectsEverything(t *testing.T) {
	t.Parallel()
	for _, host := range hosts {
		t.Run(host, func(t *testing.T) {
			t.Parallel()
			h := newHarness(t, webhook.Config{})
			body := samplePayload(t, host)
			for _, secret := range [][]byte{nil, testSecret} {
				code, resp := h.post(t, http.MethodPost, route(host), hostHeaders(host, secret, body, ""), bytes.NewReader(body))
				if code != http.StatusUnauthorized || resp != `{"status":"unauthorized"}`+"\n" {
					t.Fatalf("signed with %q: response = %d %q, want 401", secret, code, resp)
				}
			}
			if got := h.sink.got(); len(got) != 0 {
				t.Fatalf("sink called with %#v", got)
			}
			if got, want := h.recv.Stats(), (webhook.Stats{Unauthorized: 2}); got != want {
				t.Fatalf("stats = %+v, want %+v", got, want)
			}
		})
	}
}

func TestEmptySecretIsLoggedAtStart(t *testing.T) {
	t.Parallel()
	var logs syncBuffer
	webhook.New(webhook.Config{Logger: newLogger(&logs)}, func(context.Context, webhook.Push) {})
	if !strings.Contains(logs.String(), "secret is empty") {
		t.Fatalf("no warning about the empty secret in %q", logs.String())
	}
}

type ctxKey struct{}

func TestSinkGetsRequestContext(t *testing.T) {
	t.Parallel()
	var got any
	recv := webhook.New(webhook.Config{Secret: testSecret}, func(ctx context.Context, _ webhook.Push) {
		got = ctx.Value(ctxKey{})
	})
	body := samplePayload(t, "generic")
	req := httptest.NewRequest(http.MethodPost, "/hooks/generic", bytes.NewReader(body))
	req.Header = hostHeaders("generic", testSecret, body, "")
	req = req.WithContext(context.WithValue(req.Context(), ctxKey{}, "this request"))
	rec := httptest.NewRecorder()
	recv.ServeHTTP(rec, req)
	if rec.Code != http.StatusOK || got != "this request" {
		t.Fatalf("status %d, sink saw context value %v, want 200 and the request's context", rec.Code, got)
	}
	if ct := rec.Header().Get("Content-Type"); ct != "application/json" {
		t.Fatalf("Content-Type = %q, want application/json", ct)
	}
}

func TestAcceptedLogNamesRefsButNotSecret(t *testing.T) {
	t.Parallel()
	h := newHarness(t, webhook.Config{Secret: testSecret})
	body := samplePayload(t, "gitlab")
	h.post(t, http.MethodPost, "/hooks/gitlab", hostHeaders("gitlab", testSecret, body, "d-1"), bytes.NewReader(body))
	logs := h.logs.String()
	if !strings.Contains(logs, "refs/heads/develop") || !strings.Contains(logs, "delivery=d-1") {
		t.Fatalf("accepted log lacks the ref or delivery:\n%s", logs)
	}
	if strings.Contains(logs, string(testSecret)) {
		t.Fatalf("log holds the secret:\n%s", logs)
	}
}

// failReader fails the test if the receiver reads a body it should refuse
// unread.
type failReader struct{ t *testing.T }

func (r failReader) Read([]byte) (int, error) {
	r.t.Error("body was read")
	return 0, io.EOF
}

func TestRefusedBeforeReadingBody(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name     string
		cfg      webhook.Config
		wantCode int
		want     webhook.Stats
	}{
		{"declared length over the limit", webhook.Config{Secret: testSecret}, 413, webhook.Stats{TooLarge: 1}},
		{"no secret", webhook.Config{}, 401, webhook.Stats{Unauthorized: 1}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			recv := webhook.New(tc.cfg, func(context.Context, webhook.Push) { t.Error("sink called") })
			req := httptest.NewRequest(http.MethodPost, "/hooks/github", failReader{t})
			req.ContentLength = webhook.DefaultMaxBody + 1
			rec := httptest.NewRecorder()
			recv.ServeHTTP(rec, req)
			if rec.Code != tc.wantCode {
				t.Fatalf("status = %d, want %d", rec.Code, tc.wantCode)
			}
			if got := recv.Stats(); got != tc.want {
				t.Fatalf("stats = %+v, want %+v", got, tc.want)
			}
		})
	}
}

func TestSecretIsCopied(t *testing.T) {
	t.Parallel()
	secret := append([]byte(nil), testSecret...)
	h := newHarness(t, webhook.Config{Secret: secret})
	clear(secret) // the caller wipes its copy
	body := samplePayload(t, "generic")
	if code, resp := h.post(t, http.MethodPost, "/hooks/generic", hostHeaders("generic", testSecret, body, ""), bytes.NewReader(body)); code != 200 {
		t.Fatalf("status = %d %q, want 200 with the secret given at New", code, resp)
	}
}
