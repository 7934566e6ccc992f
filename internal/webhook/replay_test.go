package webhook_test

import (
	"bytes"
	"net/http"
	"sync"
	"testing"

	"ferry.dev/ferry/internal/webhook"
)

func TestReplayedDeliveryCallsSinkOnce(t *testing.T) {
	t.Parallel()
	for _, host := range hosts {
		t.Run(host, func(t *testing.T) {
			t.Parallel()
			h := newHarness(t, webhook.Config{Secret: testSecret})
			body := samplePayload(t, host)
			for i, want := range []string{"accepted", "replayed", "replayed"} {
				code, resp := h.post(t, http.MethodPost, route(host), hostHeaders(host, testSecret, body, "d-7"), bytes.NewReader(body))
				if code != http.StatusOK || resp != `{"status":"`+want+`"}`+"\n" {
					t.Fatalf("delivery %d: response = %d %q, want 200 %s", i, code, resp, want)
				}
			}
			if got := h.sink.got(); len(got) != 1 {
				t.Fatalf("sink called %d times, want once: %#v", len(got), got)
			}
			if got, want := h.recv.Stats(), (webhook.Stats{Accepted: 1, Replayed: 2}); got != want {
				t.Fatalf("stats = %+v, want %+v", got, want)
			}
		})
	}
}

func TestDedupKeys(t *testing.T) {
	t.Parallel()
	type delivery struct {
		host, id string
		signed   bool
	}
	tests := []struct {
		name       string
		deliveries []delivery
		wantSink   int
		want       webhook.Stats
	}{
		{"no delivery id is never a replay",
			[]delivery{{"generic", "", true}, {"generic", "", true}}, 2, webhook.Stats{Accepted: 2}},
		{"distinct ids",
			[]delivery{{"github", "a", true}, {"github", "b", true}}, 2, webhook.Stats{Accepted: 2}},
		{"same id on two providers",
			[]delivery{{"github", "a", true}, {"gitea", "a", true}}, 2, webhook.Stats{Accepted: 2}},
		{"unsigned delivery does not poison the set",
			[]delivery{{"github", "a", false}, {"github", "a", true}}, 1, webhook.Stats{Accepted: 1, Unauthorized: 1}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			h := newHarness(t, webhook.Config{Secret: testSecret})
			for _, d := range tc.deliveries {
				body := samplePayload(t, d.host)
				secret := testSecret
				if !d.signed {
					secret = []byte("attacker")
				}
				h.post(t, http.MethodPost, route(d.host), hostHeaders(d.host, secret, body, d.id), bytes.NewReader(body))
			}
			if got := h.sink.got(); len(got) != tc.wantSink {
				t.Fatalf("sink called %d times, want %d", len(got), tc.wantSink)
			}
			if got := h.recv.Stats(); got != tc.want {
				t.Fatalf("stats = %+v, want %+v", got, tc.want)
			}
		})
	}
}

func TestConcurrentRedeliveriesCallSinkOnce(t *testing.T) {
	t.Parallel()
	h := newHarness(t, webhook.Config{Secret: testSecret})
	body := samplePayload(t, "github")
	var wg sync.WaitGroup
	for range 16 {
		wg.Go(func() {
			h.post(t, http.MethodPost, "/hooks/github", hostHeaders("github", testSecret, body, "same"), bytes.NewReader(body))
		})
	}
	wg.Wait()
	if got := h.sink.got(); len(got) != 1 {
		t.Fatalf("sink called %d times, want once", len(got))
	}
	if got, want := h.recv.Stats(), (webhook.Stats{Accepted: 1, Replayed: 15}); got != want {
		t.Fatalf("stats = %+v, want %+v", got, want)
	}
}
