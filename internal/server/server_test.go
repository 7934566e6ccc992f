package server_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"ferry.dev/ferry/internal/agent"
	"ferry.dev/ferry/internal/server"
	"ferry.dev/ferry/internal/store"
	"ferry.dev/ferry/internal/testenv"
)

// TestHealthAndReadiness: /healthz answers at once; /readyz is 503 until
// the agent fetched its mirror and knows its role, then 200 with the role;
// a webhook without a signature is refused.
func TestHealthAndReadiness(t *testing.T) {
	testenv.GitIsolate(t)
	remote := testenv.GitRemote(t)
	clone := testenv.GitClone(t, remote)
	testenv.GitCommitFile(t, clone, "ferry.yaml", "apiVersion: ferry.dev/v1alpha1\nkind: Platform\nmetadata:\n  name: p\nspec:\n  lanes:\n    - name: develop\n", "chore: platform")
	testenv.GitRun(t, clone, "push", "-q", "origin", "HEAD:develop")
	st, err := store.OpenSQLite(context.Background(), filepath.Join(t.TempDir(), "state.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	ctx, cancel := context.WithCancel(context.Background())
	a, err := agent.New(ctx, agent.Config{Source: remote, StateDir: t.TempDir(), Store: st, PollInterval: time.Hour, NoWatch: true})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(server.Handler(server.Config{Agent: a, Store: st, WebhookSecret: []byte("s")}))
	defer srv.Close()

	if code, _ := get(t, srv.URL+"/healthz"); code != http.StatusOK {
		t.Fatalf("healthz = %d", code)
	}
	if code, body := get(t, srv.URL+"/readyz"); code != http.StatusServiceUnavailable || body["ready"] != false {
		t.Fatalf("readyz before Run = %d %v, want 503", code, body)
	}
	done := make(chan struct{})
	go func() { defer close(done); _ = a.Run(ctx) }()
	defer func() { cancel(); <-done }()
	deadline := time.Now().Add(20 * time.Second)
	for {
		code, body := get(t, srv.URL+"/readyz")
		if code == http.StatusOK && body["role"] == "leader" && body["store"] == "ok" && body["mirror"] == "fetched" {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("readyz never ready: %d %v", code, body)
		}
		time.Sleep(50 * time.Millisecond)
	}
	resp, err := http.Post(srv.URL+"/hooks/github", "application/json", strings.NewReader(`{"ref":"refs/heads/develop"}`))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusUnauthorized {
		t.Fatalf("unsigned webhook = %d, want 401", resp.StatusCode)
	}
}

func get(t *testing.T, url string) (int, map[string]any) {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var body map[string]any
	_ = json.NewDecoder(resp.Body).Decode(&body)
	return resp.StatusCode, body
}
