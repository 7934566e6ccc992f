package cli

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"

	"ferry.dev/ferry/internal/notify"
	"ferry.dev/ferry/internal/scaffold"
	"ferry.dev/ferry/internal/store"
	"ferry.dev/ferry/internal/testenv"
)

// hookReceiver is the test's webhook sink: it checks each delivery's
// signature over the raw body with its own HMAC code and keeps the
// payloads it accepted.
type hookReceiver struct {
	key  []byte
	mu   sync.Mutex
	got  []notify.WebhookPayload
	bad  int
	path string
}

func (h *hookReceiver) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	raw, _ := io.ReadAll(r.Body)
	mac := hmac.New(sha256.New, h.key)
	mac.Write(raw)
	want := "sha256=" + hex.EncodeToString(mac.Sum(nil))
	var p notify.WebhookPayload
	h.mu.Lock()
	defer h.mu.Unlock()
	if r.URL.Path != h.path || !hmac.Equal([]byte(r.Header.Get("X-Ferry-Signature-256")), []byte(want)) || json.Unmarshal(raw, &p) != nil {
		h.bad++
		w.WriteHeader(http.StatusUnauthorized)
		return
	}
	h.got = append(h.got, p)
	w.WriteHeader(http.StatusNoContent)
}

func (h *hookReceiver) payloads() []notify.WebhookPayload {
	h.mu.Lock()
	defer h.mu.Unlock()
	return append([]notify.WebhookPayload(nil), h.got...)
}

// TestNotificationsThroughRealDeployments runs ferry sync in-process on the
// reference platform against the harness control plane, with a signed
// webhook sink in ferry.yaml: a sync that deploys and one that fails (its
// cluster unreachable) reach the sink before the command returns, and
// neither the webhook URL nor the HMAC key shows in output, logs or the
// store.
func TestNotificationsThroughRealDeployments(t *testing.T) {
	testenv.GitIsolate(t)
	testenv.TerraformBin(t)
	cp := testenv.ControlPlaneFor(t)
	kubeconfig := cp.KubeconfigAs(t, "ferry-local")
	dir := filepath.Join(t.TempDir(), "platform")
	if _, err := scaffold.Init(context.Background(), dir, false); err != nil {
		t.Fatal(err)
	}
	const token, key = "s3cr3t-hook-path-token", "hmac-key-never-shown"
	recv := &hookReceiver{key: []byte(key), path: "/hooks/" + token}
	srv := httptest.NewServer(recv)
	defer srv.Close()
	t.Setenv("FERRY_TEST_HOOK_URL", srv.URL+recv.path)
	keyFile := filepath.Join(t.TempDir(), "hmac")
	if err := os.WriteFile(keyFile, []byte(key+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	appendFile(t, filepath.Join(dir, "ferry.yaml"), `
  notifications:
    sinks:
      - name: audit
        webhook: {url: {env: FERRY_TEST_HOOK_URL}, secret: {file: `+keyFile+`}}
    rules:
      - triggers: [on-deployed, on-deploy-failed]
        environments: [staging]
        sinks: [audit]
`)
	var output bytes.Buffer
	run := func(args ...string) int {
		var out, errb bytes.Buffer
		code := Run(context.Background(), append(args, "--repo", dir), Streams{In: strings.NewReader(""), Out: &out, Err: &errb})
		output.WriteString(out.String() + errb.String())
		return code
	}

	if code := run("sync", "staging"); code != ExitOK {
		t.Fatalf("sync: exit %d\n%s", code, output.String())
	}
	got := recv.payloads() // the command has returned: delivered already
	if len(got) != 1 || got[0].Trigger != "on-deployed" || got[0].Env != "staging" || got[0].Revision == "" || got[0].Deployment == 0 {
		t.Fatalf("after the sync the sink has %+v, want one on-deployed of staging", got)
	}

	// The same environment, its cluster unreachable: the sync fails and
	// says so to the sink.
	t.Setenv("KUBECONFIG", unreachable(t, kubeconfig))
	if code := run("sync", "staging"); code == ExitOK {
		t.Fatalf("sync with the cluster unreachable succeeded\n%s", output.String())
	}
	got = recv.payloads()
	if len(got) != 2 || got[1].Trigger != "on-deploy-failed" || got[1].Env != "staging" || got[1].Message == "" {
		t.Fatalf("after the failed sync the sink has %+v, want on-deployed then on-deploy-failed", got)
	}
	recv.mu.Lock()
	bad := recv.bad
	recv.mu.Unlock()
	if bad != 0 {
		t.Errorf("the receiver refused %d deliveries (bad signature or path)", bad)
	}

	st, err := store.OpenSQLite(context.Background(), filepath.Join(dir, ".ferry", "state.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	evs, err := st.Events(context.Background(), store.EventFilter{})
	if err != nil {
		t.Fatal(err)
	}
	var sent int
	var all strings.Builder
	for _, e := range evs {
		if e.Kind == notify.EventSent {
			sent++
		}
		all.WriteString(e.Message + e.Data + "\n")
	}
	if sent != 2 {
		t.Errorf("store has %d notification.sent events, want 2:\n%s", sent, all.String())
	}
	deps, err := st.Deployments(context.Background(), store.DeploymentFilter{Env: "staging"})
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range deps {
		all.WriteString(d.Summary + "\n")
	}
	for _, secret := range []string{token, key} {
		if strings.Contains(output.String(), secret) || strings.Contains(all.String(), secret) {
			t.Errorf("secret %q shows in the output or the store", secret)
		}
	}
}

func appendFile(t *testing.T, path, text string) {
	t.Helper()
	f, err := os.OpenFile(path, os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if _, err := f.WriteString(text); err != nil {
		t.Fatal(err)
	}
}

// unreachable copies a kubeconfig with every server moved to a closed port.
func unreachable(t *testing.T, kubeconfig string) string {
	t.Helper()
	b, err := os.ReadFile(kubeconfig)
	if err != nil {
		t.Fatal(err)
	}
	moved := regexp.MustCompile(`server: https://[^\s]+`).ReplaceAll(b, []byte("server: https://127.0.0.1:1"))
	if bytes.Equal(moved, b) {
		t.Fatalf("no server in %s", kubeconfig)
	}
	path := filepath.Join(t.TempDir(), "kubeconfig")
	if err := os.WriteFile(path, moved, 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}
