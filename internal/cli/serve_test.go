package cli

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"ferry.dev/ferry/internal/agent"
	"ferry.dev/ferry/internal/app"
	"ferry.dev/ferry/internal/platform"
	"ferry.dev/ferry/internal/scaffold"
	"ferry.dev/ferry/internal/store"
	"ferry.dev/ferry/internal/testenv"
)

// TestServe runs `ferry serve --repo DIR` in-process on the reference
// platform with autoSync off everywhere (so nothing is applied and no
// cluster is needed) and polling at 1h: every environment is reported out
// of sync; a push followed by a correctly signed GitHub, GitLab, Gitea or
// generic webhook makes the agent fetch and report the new head, while a
// wrong or missing signature does not; ferry status shows the outcome; a
// cancelled context (SIGTERM) stops serve with exit 0.
func TestServe(t *testing.T) {
	testenv.GitIsolate(t)
	remote := testenv.GitRemote(t)
	work := filepath.Join(t.TempDir(), "platform")
	repo, err := scaffold.Init(context.Background(), work, false)
	if err != nil {
		t.Fatal(err)
	}
	yaml := filepath.Join(work, "ferry.yaml")
	b, _ := os.ReadFile(yaml)
	os.WriteFile(yaml, []byte(strings.ReplaceAll(string(b), "autoSync: true", "autoSync: false")), 0o644)
	testenv.GitRun(t, work, "commit", "-q", "-am", "chore: no auto sync")
	for _, l := range repo.Lanes {
		if l != repo.Branch {
			testenv.GitRun(t, work, "branch", "-f", l, "HEAD")
		}
	}
	testenv.GitRun(t, work, "remote", "add", "origin", remote)
	testenv.GitRun(t, work, "push", "-q", "origin", "--all")
	pusher := testenv.GitClone(t, remote)
	testenv.GitRun(t, pusher, "checkout", "-q", "develop")

	port, err := testenv.FreePort()
	if err != nil {
		t.Fatal(err)
	}
	addr := fmt.Sprintf("127.0.0.1:%d", port)
	secretFile := filepath.Join(t.TempDir(), "secret")
	secret := []byte("hook-secret")
	os.WriteFile(secretFile, append(secret, '\n'), 0o600)
	tokenFile := filepath.Join(t.TempDir(), "metrics-token")
	os.WriteFile(tokenFile, []byte("scrape-t0ken\n"), 0o600)
	ctx, cancel := context.WithCancel(context.Background())
	serr := &testenv.SyncBuffer{}
	exit := make(chan int, 1)
	go func() {
		exit <- Run(ctx, []string{"serve", "--repo", work, "--listen", addr, "--webhook-secret-file", secretFile,
			"--poll-interval", "1h", "--lease-ttl", "2s", "--no-watch", "--log-format", "ecs", "--metrics-token-file", tokenFile}, Streams{In: strings.NewReader(""), Out: &bytes.Buffer{}, Err: serr})
	}()
	defer func() {
		cancel()
		if code := <-exit; code != ExitOK {
			t.Errorf("serve exit %d:\n%s", code, serr.String())
		}
		if strings.Contains(serr.String(), string(secret)) || strings.Contains(serr.String(), "scrape-t0ken") {
			t.Error("a secret reached the logs")
		}
		checkECSLines(t, serr.String())
	}()
	base := "http://" + addr
	waitUntil(t, 30*time.Second, func() bool { return get(base+"/readyz") == http.StatusOK }, "readyz: "+serr.String())
	if get(base+"/healthz") != http.StatusOK {
		t.Fatal("healthz not ok")
	}
	st := openStore(t, work)
	outcome := func(env string) agent.Outcome {
		o, _, _, err := agent.LastOutcome(context.Background(), st, env)
		if err != nil {
			t.Fatal(err)
		}
		return o
	}
	head := testenv.GitRun(t, work, "rev-parse", "develop")
	waitUntil(t, 30*time.Second, func() bool {
		return outcome("dev").Waiting == head && outcome("production").Action == agent.ActionOutOfSync
	}, "initial out-of-sync outcomes: "+serr.String())

	for i, p := range []string{"github", "gitlab", "gitea", "generic"} {
		rev := testenv.GitCommitFile(t, pusher, "notes.txt", fmt.Sprintf("push %d\n", i), "docs: note "+p)
		testenv.GitRun(t, pusher, "push", "-q", "origin", "develop")
		body := []byte(`{"ref":"refs/heads/develop","after":"0000000000000000000000000000000000000000","object_kind":"push"}`)
		// A forged signature and a missing one are refused and trigger nothing.
		if code := postHook(t, base, p, body, []byte("wrong"), "bad-"+p); code != http.StatusUnauthorized {
			t.Fatalf("%s with a wrong signature: %d", p, code)
		}
		if code := postHook(t, base, p, body, nil, "none-"+p); code != http.StatusUnauthorized {
			t.Fatalf("%s without a signature: %d", p, code)
		}
		time.Sleep(1500 * time.Millisecond)
		if outcome("dev").Waiting == rev {
			t.Fatalf("%s: a refused webhook triggered a reconcile", p)
		}
		if code := postHook(t, base, p, body, secret, "good-"+p); code != http.StatusOK {
			t.Fatalf("%s signed: %d", p, code)
		}
		waitUntil(t, 20*time.Second, func() bool { return outcome("dev").Waiting == rev }, p+": no reconcile of "+rev)
	}

	// /metrics counts the deliveries: four signed, eight refused.
	if code := get(base + "/metrics"); code != http.StatusUnauthorized {
		t.Fatalf("/metrics without its token: %d, want 401", code)
	}
	req, _ := http.NewRequest("GET", base+"/metrics", nil)
	req.Header.Set("Authorization", "Bearer scrape-t0ken")
	resp, err := http.DefaultClient.Do(req)
	if err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("/metrics with its token: %v %v", resp, err)
	}
	exp, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	for _, c := range []struct {
		name  string
		match map[string]string
		want  float64
	}{
		{"ferry_webhook_requests_total", map[string]string{"result": "accepted"}, 4},
		{"ferry_webhook_requests_total", map[string]string{"result": "unauthorized"}, 8},
		{"ferry_webhook_requests_total", map[string]string{"provider": "gitlab", "result": "accepted"}, 1},
		{"ferry_webhook_requests_total", map[string]string{"provider": "bitbucket"}, 0},
		{"ferry_environment_info", map[string]string{"env": "dev", "sync": "out-of-sync"}, 1},
	} {
		got, err := testenv.SumMetric(string(exp), c.name, c.match)
		if err != nil || got != c.want {
			t.Errorf("/metrics: %s%v = %v (%v), want %v", c.name, c.match, got, err, c.want)
		}
	}

	var out bytes.Buffer
	if code := Run(context.Background(), []string{"status", "--repo", work}, Streams{In: strings.NewReader(""), Out: &out, Err: &bytes.Buffer{}}); code == ExitUsage {
		t.Fatalf("status: exit %d", code)
	}
	if !strings.Contains(out.String(), "agent (ferry serve), last outcome:") || !strings.Contains(out.String(), "out-of-sync") {
		t.Errorf("status does not show the agent:\n%s", out.String())
	}
}

func openStore(t *testing.T, dir string) store.Store {
	p, err := platform.Load(dir)
	if err != nil {
		t.Fatal(err)
	}
	st, err := app.OpenStore(context.Background(), p)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	return st
}

func get(url string) int {
	resp, err := http.Get(url)
	if err != nil {
		return 0
	}
	resp.Body.Close()
	return resp.StatusCode
}

// postHook posts body to /hooks/provider signed the way that host signs
// (secret nil: unsigned).
func postHook(t *testing.T, base, provider string, body, secret []byte, delivery string) int {
	t.Helper()
	req, _ := http.NewRequest(http.MethodPost, base+"/hooks/"+provider, bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	mac := hmac.New(sha256.New, secret)
	mac.Write(body)
	sig := hex.EncodeToString(mac.Sum(nil))
	switch provider {
	case "github":
		req.Header.Set("X-GitHub-Event", "push")
		req.Header.Set("X-GitHub-Delivery", delivery)
		if secret != nil {
			req.Header.Set("X-Hub-Signature-256", "sha256="+sig)
		}
	case "gitlab":
		req.Header.Set("X-Gitlab-Event", "Push Hook")
		req.Header.Set("X-Gitlab-Event-UUID", delivery)
		if secret != nil {
			req.Header.Set("X-Gitlab-Token", string(secret))
		}
	case "gitea":
		req.Header.Set("X-Gitea-Event", "push")
		req.Header.Set("X-Gitea-Delivery", delivery)
		if secret != nil {
			req.Header.Set("X-Gitea-Signature", sig)
		}
	case "generic":
		req.Header.Set("X-Delivery", delivery)
		if secret != nil {
			req.Header.Set("X-Signature", "sha256="+sig)
		}
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	return resp.StatusCode
}

func waitUntil(t *testing.T, within time.Duration, cond func() bool, why string) {
	t.Helper()
	deadline := time.Now().Add(within)
	for time.Now().Before(deadline) {
		if cond() {
			return
		}
		time.Sleep(100 * time.Millisecond)
	}
	t.Fatalf("not within %s: %s", within, why)
}

// TestServeRefusesBadFlags: every flag ferry serve cannot use is a usage
// error (exit 2) that names it, before anything is cloned or opened.
func TestServeRefusesBadFlags(t *testing.T) {
	dir := t.TempDir()
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"--log-format", "xml"}, `unknown log format "xml"`},
		{[]string{"--workers", "0"}, "--workers must be at least 1"},
		{[]string{"--lease-ttl", "100ms"}, "--lease-ttl and --lock-ttl at least 1s"},
		{[]string{"--leader-election", "zookeeper"}, `unknown leader election "zookeeper": store or kubernetes`},
		{[]string{"--leader-election", "kubernetes", "--lease-kubeconfig", filepath.Join(dir, "missing")}, "leader election: load kubeconfig"},
		{[]string{"--leader-election", "kubernetes", "--lease-name", ""}, "--lease-name is empty"},
	} {
		var serr bytes.Buffer
		args := append([]string{"serve", "--repo", dir, "--listen", "127.0.0.1:0"}, tc.args...)
		code := Run(context.Background(), args, Streams{In: strings.NewReader(""), Out: &bytes.Buffer{}, Err: &serr})
		if code != ExitUsage || !strings.Contains(serr.String(), tc.want) {
			t.Errorf("%v: exit %d, stderr %q; want exit %d naming %q", tc.args, code, serr.String(), ExitUsage, tc.want)
		}
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 0 {
		t.Errorf("a refused serve wrote into the repository: %v", entries)
	}
}

// checkECSLines: with --log-format ecs every line is a JSON object with
// ECS's base fields (internal/logs checks every name against ECS itself),
// and the agent's outcomes carry event.action, event.outcome and their
// reconcile pass as trace.id.
func checkECSLines(t *testing.T, stderr string) {
	t.Helper()
	outcomes := 0
	for _, line := range strings.Split(strings.TrimSpace(stderr), "\n") {
		var doc map[string]any
		if err := json.Unmarshal([]byte(line), &doc); err != nil {
			t.Errorf("not a JSON line: %q", line)
			continue
		}
		for _, k := range []string{"@timestamp", "log.level", "message", "service.name", "ecs.version"} {
			if doc[k] == nil {
				t.Errorf("line lacks %s: %s", k, line)
			}
		}
		if doc["event.action"] == nil {
			continue
		}
		outcomes++
		if id, _ := doc["trace.id"].(string); len(id) != 32 || doc["event.outcome"] == nil || doc["ferry.env"] == nil {
			t.Errorf("outcome line without trace.id, event.outcome or ferry.env: %s", line)
		}
	}
	if outcomes == 0 {
		t.Errorf("no outcome lines in:\n%s", stderr)
	}
}
