package webhook_test

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"sync"
	"testing"

	"ferry.dev/ferry/internal/webhook"
)

var testSecret = []byte("s3cr3t-for-tests-only")

// sinkRecorder is the sink the agent would pass: it only records.
type sinkRecorder struct {
	mu     sync.Mutex
	pushes []webhook.Push
}

func (s *sinkRecorder) sink(_ context.Context, p webhook.Push) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.pushes = append(s.pushes, p)
}

func (s *sinkRecorder) got() []webhook.Push {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]webhook.Push(nil), s.pushes...)
}

// harness is a Receiver behind a real HTTP server.
type harness struct {
	recv *webhook.Receiver
	sink *sinkRecorder
	srv  *httptest.Server
	logs *syncBuffer
}

func newHarness(t *testing.T, cfg webhook.Config) *harness {
	t.Helper()
	h := &harness{sink: &sinkRecorder{}, logs: &syncBuffer{}}
	if cfg.Logger == nil {
		cfg.Logger = newLogger(h.logs)
	}
	h.recv = webhook.New(cfg, h.sink.sink)
	h.srv = httptest.NewServer(h.recv)
	t.Cleanup(h.srv.Close)
	return h
}

// post sends body to path with the headers and returns the status and body.
func (h *harness) post(t *testing.T, method, path string, hdr http.Header, body io.Reader) (int, string) {
	t.Helper()
	req, err := http.NewRequest(method, h.srv.URL+path, body)
	if err != nil {
		t.Fatalf("new request: %v", err)
	}
	for k, vs := range hdr {
		req.Header[k] = vs
	}
	resp, err := h.srv.Client().Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	out, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("read response: %v", err)
	}
	return resp.StatusCode, string(out)
}

func hexHMAC(secret, body []byte) string {
	m := hmac.New(sha256.New, secret)
	m.Write(body)
	return hex.EncodeToString(m.Sum(nil))
}

// hostHeaders returns the headers host sends for a push of body, signed
// with secret. host is a provider, or "forgejo"/"gogs" for the gitea route.
func hostHeaders(host string, secret, body []byte, delivery string) http.Header {
	h := http.Header{}
	set := func(k, v string) {
		if v != "" {
			h.Set(k, v)
		}
	}
	switch host {
	case "github":
		set("X-GitHub-Event", "push")
		set("X-GitHub-Delivery", delivery)
		set("X-Hub-Signature-256", "sha256="+hexHMAC(secret, body))
	case "gitlab":
		set("X-Gitlab-Event", "Push Hook")
		set("Idempotency-Key", delivery)
		set("X-Gitlab-Token", string(secret))
	case "gitea":
		set("X-Gitea-Event", "push")
		set("X-Gitea-Delivery", delivery)
		set("X-Gitea-Signature", hexHMAC(secret, body))
	case "forgejo":
		set("X-Forgejo-Event", "push")
		set("X-Forgejo-Delivery", delivery)
		set("X-Forgejo-Signature", hexHMAC(secret, body))
	case "gogs":
		set("X-Gogs-Event", "push")
		set("X-Gogs-Delivery", delivery)
		set("X-Gogs-Signature", hexHMAC(secret, body))
	case "bitbucket":
		set("X-Event-Key", "repo:refs_changed")
		set("X-Request-Id", delivery)
		set("X-Hub-Signature", "sha256="+hexHMAC(secret, body))
	case "generic":
		set("X-Delivery", delivery)
		set("X-Signature", "sha256="+hexHMAC(secret, body))
	default:
		panic("hostHeaders: unknown host " + host)
	}
	h.Set("Content-Type", "application/json")
	return h
}

// route is the path a host posts to.
func route(host string) string {
	switch host {
	case "forgejo", "gogs":
		return "/hooks/gitea"
	}
	return "/hooks/" + host
}

// samplePayload is testdata's realistic push payload of host.
func samplePayload(t testing.TB, host string) []byte {
	t.Helper()
	name := map[string]string{
		"github": "github-push.json", "gitea": "gitea-push.json", "forgejo": "gitea-push.json",
		"gogs": "gitea-push.json", "gitlab": "gitlab-push.json",
		"bitbucket": "bitbucket-refs-changed.json", "generic": "generic-push.json",
	}[host]
	return testdata(t, name)
}

// testdata returns the file testdata/name.
func testdata(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatalf("read testdata: %v", err)
	}
	return b
}

// hosts are every sender the routes accept.
var hosts = []string{"github", "gitlab", "gitea", "forgejo", "gogs", "bitbucket", "generic"}

type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

func newLogger(w io.Writer) *slog.Logger {
	return slog.New(slog.NewTextHandler(w, &slog.HandlerOptions{Level: slog.LevelDebug}))
}
