package notify

import (
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"ferry.dev/ferry/internal/platform"
)

// flaky is a stand-in for Slack (unreachable here) that fails the first
// fails requests with code, then answers "ok"; it echoes the request path
// in its errors, as a careless proxy might, so redaction is tested too.
func flaky(fails int64, code int) (*httptest.Server, *atomic.Int64) {
	var n atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if n.Add(1) <= fails {
			http.Error(w, "no good for "+r.URL.Path, code)
			return
		}
		io.WriteString(w, "ok")
	}))
	return srv, &n
}

func slackPlatform(t *testing.T, url string) *platform.Platform {
	return testPlatform(t, "      - {name: team, slack: {url: {file: "+secretFile(t, url)+"}}}\n",
		"      - {triggers: [on-deployed, on-drift], sinks: [team]}\n")
}

func TestRetriesUntilDelivered(t *testing.T) {
	t.Parallel()
	srv, n := flaky(2, http.StatusServiceUnavailable)
	defer srv.Close()
	st := openStore(t)
	d := fast(st, 5)
	d.Notify(slackPlatform(t, srv.URL+"/services/SECRETPATH"), deployed("staging", rev))
	d.Close(5 * time.Second)
	if n.Load() != 3 {
		t.Errorf("server saw %d requests, want 3 (two 503s, then ok)", n.Load())
	}
	sent := records(t, st, EventSent)
	if len(sent) != 1 || sent[0].Attempts != 3 {
		t.Fatalf("sent = %+v, want one after 3 attempts", sent)
	}
	if failed := records(t, st, EventFailed); len(failed) != 0 {
		t.Errorf("failed = %+v, want none", failed)
	}
}

// TestGivesUpIntoFailedEvent: a sink that always fails is tried Attempts
// times, then the store has one notification.failed with sink, trigger,
// env, attempts and the last error, and no secret.
func TestGivesUpIntoFailedEvent(t *testing.T) {
	t.Parallel()
	srv, n := flaky(1000, http.StatusBadGateway)
	defer srv.Close()
	st := openStore(t)
	d := fast(st, 4)
	start := time.Now()
	d.Notify(slackPlatform(t, srv.URL+"/services/SECRETPATH"), deployed("staging", rev))
	if time.Since(start) > 100*time.Millisecond {
		t.Errorf("Notify took %s: it must only queue", time.Since(start))
	}
	d.Close(5 * time.Second)
	if n.Load() != 4 {
		t.Errorf("server saw %d requests, want 4", n.Load())
	}
	failed := records(t, st, EventFailed)
	if len(failed) != 1 {
		t.Fatalf("failed = %+v, want one", failed)
	}
	f := failed[0]
	if f.Sink != "team" || f.Kind != "slack" || f.Trigger != "on-deployed" || f.Env != "staging" || f.Attempts != 4 ||
		!strings.Contains(f.Error, "HTTP 502") || !strings.Contains(f.Error, "[redacted]") {
		t.Errorf("failed record = %+v", f)
	}
	assertNoSecret(t, st, "SECRETPATH")
}

func TestPermanentAnswersAreNotRetried(t *testing.T) {
	t.Parallel()
	srv, n := flaky(1000, http.StatusForbidden) // Slack's invalid_token
	defer srv.Close()
	st := openStore(t)
	d := fast(st, 5)
	d.Notify(slackPlatform(t, srv.URL+"/x"), deployed("staging", rev))
	d.Close(5 * time.Second)
	if n.Load() != 1 {
		t.Errorf("server saw %d requests, want 1: a 403 is final", n.Load())
	}
	if f := records(t, st, EventFailed); len(f) != 1 || f[0].Attempts != 1 {
		t.Errorf("failed = %+v", f)
	}
}

func TestMissingSecretFailsWithoutAttempt(t *testing.T) {
	t.Parallel()
	st := openStore(t)
	p := testPlatform(t, "      - {name: team, slack: {url: {env: FERRY_NOTIFY_TEST_NEVER_SET}}}\n",
		"      - {triggers: [on-deployed], sinks: [team]}\n")
	d := fast(st, 5)
	d.Notify(p, deployed("staging", rev))
	d.Close(5 * time.Second)
	f := records(t, st, EventFailed)
	if len(f) != 1 || f[0].Attempts != 0 || !strings.Contains(f[0].Error, "FERRY_NOTIFY_TEST_NEVER_SET") {
		t.Errorf("failed = %+v, want one naming the variable, with no attempt", f)
	}
}

func TestRepeatedStateSentOnce(t *testing.T) {
	t.Parallel()
	srv, n := flaky(0, 0)
	defer srv.Close()
	st := openStore(t)
	d := fast(st, 2)
	p := slackPlatform(t, srv.URL+"/x")
	d.Notify(p, deployed("staging", rev))
	d.Notify(p, deployed("staging", rev))                                        // a repeat: dropped
	d.Notify(p, Event{Trigger: platform.OnDrift, Env: "staging", Revision: rev}) // a change
	d.Notify(p, deployed("staging", rev))                                        // healed: a change again
	d.Notify(p, deployed("dev", rev))                                            // another environment
	d.Close(5 * time.Second)
	if n.Load() != 4 || len(records(t, st, EventSent)) != 4 {
		t.Errorf("server saw %d, store has %d sent; want 4 each", n.Load(), len(records(t, st, EventSent)))
	}
}

// hanging is a sink that never answers until the test ends; arrived
// gets a value per request.
func hanging(t *testing.T) (*httptest.Server, chan struct{}) {
	release, arrived := make(chan struct{}), make(chan struct{}, 100)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		arrived <- struct{}{}
		select {
		case <-release:
		case <-r.Context().Done():
		}
	}))
	t.Cleanup(func() { close(release); srv.Close() })
	return srv, arrived
}

// TestQueueFullAndBoundedDrain: Notify never waits, even with the queue
// full behind a sink that hangs; Close gives up after its timeout; every
// delivery ends recorded.
func TestQueueFullAndBoundedDrain(t *testing.T) {
	t.Parallel()
	srv, arrived := hanging(t)
	st := openStore(t)
	d := New(Options{Store: st, QueueSize: 2, Workers: 1, Attempts: 3, Backoff: time.Millisecond})
	p := slackPlatform(t, srv.URL+"/x")
	start := time.Now()
	d.Notify(p, deployed("staging", "first"))
	<-arrived // the one worker is now stuck in it
	for i := range 5 {
		d.Notify(p, deployed("staging", strings.Repeat("a", i+1))) // distinct revisions
	}
	if time.Since(start) > time.Second {
		t.Errorf("6 Notify calls took %s with the sink hanging", time.Since(start))
	}
	start = time.Now()
	d.Close(200 * time.Millisecond)
	if el := time.Since(start); el > 3*time.Second {
		t.Errorf("Close took %s, want about its 200ms timeout", el)
	}
	failed := records(t, st, EventFailed)
	if len(failed) != 6 {
		t.Fatalf("failed = %d records, want all 6 ended as failed: %+v", len(failed), failed)
	}
	var full, shutdown int
	for _, f := range failed {
		switch {
		case strings.Contains(f.Error, "queue is full"):
			full++
		case strings.Contains(f.Error, "shutdown before delivery"):
			shutdown++
		}
	}
	// One in flight, two queued, three refused.
	if full != 3 || shutdown != 3 {
		t.Errorf("queue full %d, shutdown %d; want 3 and 3: %+v", full, shutdown, failed)
	}
}
