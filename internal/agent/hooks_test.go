package agent_test

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"

	"ferry.dev/ferry/internal/notify"
)

// hookKey signs the notifications webhook in the agent tests.
const hookKey = "agent-test-hmac-key"

// hookReceiver is the receiving end of the notifications webhook sink: it
// checks each delivery's signature with its own HMAC and keeps what came.
type hookReceiver struct {
	mu  sync.Mutex
	got []notify.WebhookPayload
	bad int // deliveries whose signature did not verify
}

func startHookReceiver(t testing.TB) *hookReceiver {
	h := &hookReceiver{}
	srv := httptest.NewServer(http.HandlerFunc(h.serve))
	t.Cleanup(srv.Close)
	t.Setenv("FERRY_TEST_HOOK_URL", srv.URL+"/ferry")
	t.Setenv("FERRY_TEST_HOOK_KEY", hookKey)
	return h
}

func (h *hookReceiver) serve(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	mac := hmac.New(sha256.New, []byte(hookKey))
	mac.Write(body)
	want := "sha256=" + hex.EncodeToString(mac.Sum(nil))
	h.mu.Lock()
	defer h.mu.Unlock()
	var p notify.WebhookPayload
	if !hmac.Equal([]byte(r.Header.Get(notify.HeaderSignature)), []byte(want)) || json.Unmarshal(body, &p) != nil {
		h.bad++
		http.Error(w, "bad signature", http.StatusUnauthorized)
		return
	}
	h.got = append(h.got, p)
}

// has reports whether a delivery of trigger for env came, and how many
// deliveries failed their signature check.
func (h *hookReceiver) has(trigger, env string) (bool, int) {
	h.mu.Lock()
	defer h.mu.Unlock()
	for _, p := range h.got {
		if string(p.Trigger) == trigger && p.Env == env {
			return true, h.bad
		}
	}
	return false, h.bad
}
