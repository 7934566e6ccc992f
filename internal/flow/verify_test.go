package flow

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/api"
	promv1 "github.com/prometheus/client_golang/api/prometheus/v1"
	"github.com/prometheus/client_golang/prometheus"

	"ferry.dev/ferry/internal/platform"
	"ferry.dev/ferry/internal/store"
	"ferry.dev/ferry/internal/testenv"
)

// exporter serves the app_error_ratio gauge the tests set.
func exporter(t *testing.T) (addr string, ratio prometheus.Gauge) {
	return testenv.StartExporter(t, "app_error_ratio", "Errors per request, as the test says.")
}

// verifyYAML is the fixture's ferry.yaml with a verified staging → main.
const verifyYAML = testYAML + `  promotions:
    - from: staging
      to: main
      gates:
        deployed: staging
        verify:
          prometheus: %s
          soak: 4s
          queries:
            - name: error-ratio
              query: max(app_error_ratio)
              below: 0.01
`

// TestVerifyGate: staging deployed the candidate; the gate is pending
// through the soak, passes when the exporter's error ratio stayed below the
// threshold (the worst value is the evidence the promotion records), and
// fails naming the value when it did not — against a real Prometheus.
func TestVerifyGate(t *testing.T) {
	addr, ratio := exporter(t)
	prom := testenv.StartPrometheus(t, testenv.PrometheusOptions{Targets: []string{addr}})
	prom.WaitScraped(t, 30*time.Second)
	f := newFixture(t, false)
	ctx := context.Background()
	f.commitOn("develop", "ferry.yaml", fmt.Sprintf(verifyYAML, prom.URL), "chore: verify staging")
	// main has the same settings: the promotion changes none of them.
	f.commitOn("main", "ferry.yaml", fmt.Sprintf(verifyYAML, prom.URL), "chore: verify staging")
	f.commitOn("develop", "app.txt", "v1\n", "feat: app")
	f.git("branch", "-f", "staging", "develop")
	e := f.realTimeEngine()
	cand := f.head("staging")

	ratio.Set(0.001)
	deployNow(t, e, "staging", cand)
	g := verifyOf(t, e)
	if g.Passed || !g.Pending || g.Until.IsZero() || !strings.Contains(g.Reason, "soaking") {
		t.Fatalf("during the soak: %+v", g)
	}
	time.Sleep(time.Until(g.Until) + 2*time.Second)
	g = verifyOf(t, e)
	if !g.Passed || strings.Join(g.Evidence, ",") != "verify:error-ratio=0.001" {
		t.Fatalf("after a good soak: %+v", g)
	}

	// The ratio breaks its threshold during a second soak.
	deployNow(t, e, "staging", cand)
	time.Sleep(time.Second)
	ratio.Set(0.5)
	time.Sleep(5*time.Second + 1500*time.Millisecond)
	g = verifyOf(t, e)
	if g.Passed || g.Pending || !strings.Contains(g.Reason, "was 0.5 at") || !strings.Contains(g.Reason, "needs < 0.01") {
		t.Fatalf("after a bad soak: %+v", g)
	}
	_, err := e.Promote(ctx, "main", PromoteOptions{})
	var ge *GateError
	if !errors.As(err, &ge) || strings.Join(ge.Refused(), ",") != "verify" {
		t.Fatalf("promote after a failed verification: %v", err)
	}
	if f.head("main") == cand {
		t.Fatal("a failed verification let the promotion through")
	}
}

// TestCheckQueryNoDataOrGap: a query without data, or with data at too
// few of the soak's steps, does not pass.
func TestCheckQueryNoDataOrGap(t *testing.T) {
	addr, ratio := exporter(t)
	ratio.Set(0)
	p := testenv.StartPrometheus(t, testenv.PrometheusOptions{Targets: []string{addr}})
	p.WaitScraped(t, 30*time.Second)
	client, err := api.NewClient(api.Config{Address: p.URL})
	if err != nil {
		t.Fatal(err)
	}
	prom := promv1.NewAPI(client)
	below := 1.0
	now := time.Now()
	_, err = checkQuery(context.Background(), prom, platform.VerifyQuery{Name: "x", Query: "nothing_like_this", Below: &below}, now.Add(-5*time.Second), now)
	if err == nil || !strings.Contains(err.Error(), "no data") {
		t.Fatalf("no data: %v", err)
	}
	// app_error_ratio exists only since the test began: an hour's soak
	// finds it at a few of its steps.
	_, err = checkQuery(context.Background(), prom, platform.VerifyQuery{Name: "x", Query: "app_error_ratio", Below: &below}, now.Add(-time.Hour), now)
	if err == nil || !strings.Contains(err.Error(), "a gap is not a pass") {
		t.Fatalf("gap: %v", err)
	}
	time.Sleep(3 * time.Second) // samples over the whole window
	later := time.Now()
	worst, err := checkQuery(context.Background(), prom, platform.VerifyQuery{Name: "x", Query: "app_error_ratio", Below: &below}, later.Add(-2*time.Second), later)
	if err != nil || worst != 0 {
		t.Fatalf("a held query: %v %v", worst, err)
	}
}

// realTimeEngine is an Engine on the real clock (Prometheus samples are
// stamped with it).
func (f *fixture) realTimeEngine() *Engine {
	f.t.Helper()
	p, err := platform.Load(f.dir)
	if err != nil {
		f.t.Fatal(err)
	}
	e, err := New(context.Background(), p, Options{Store: f.e.Store, Now: time.Now, Actor: "tester <t@x>"})
	if err != nil {
		f.t.Fatal(err)
	}
	return e
}

func deployNow(t *testing.T, e *Engine, env, rev string) {
	t.Helper()
	ctx := context.Background()
	id, err := e.Store.StartDeployment(ctx, store.Deployment{Env: env, Revision: rev, Status: store.StatusRunning, Actor: "test"})
	if err != nil {
		t.Fatal(err)
	}
	if err := e.Store.FinishDeployment(ctx, id, store.DeploymentResult{Status: store.StatusSucceeded, Healthy: true, EndedAt: time.Now()}); err != nil {
		t.Fatal(err)
	}
}

func verifyOf(t *testing.T, e *Engine) Gate {
	t.Helper()
	plan, err := e.PlanPromotion(context.Background(), "main", "")
	if err != nil {
		t.Fatal(err)
	}
	for _, g := range plan.Gates {
		if g.Name == "verify" {
			return g
		}
	}
	t.Fatalf("no verify gate in %+v", plan.Gates)
	return Gate{}
}

// TestVerifyTokenReachesPrometheus: a gate's token (from the environment)
// is sent as a bearer token to a Prometheus behind an authenticating proxy;
// without it the proxy refuses and the gate says so.
func TestVerifyTokenReachesPrometheus(t *testing.T) {
	addr, ratio := exporter(t)
	ratio.Set(0)
	p := testenv.StartPrometheus(t, testenv.PrometheusOptions{Targets: []string{addr}})
	p.WaitScraped(t, 30*time.Second)
	target, _ := url.Parse(p.URL)
	upstream := httputil.NewSingleHostReverseProxy(target)
	proxy := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Authorization") != "Bearer pr0m-t0ken" {
			http.Error(w, "unauthorized", http.StatusUnauthorized)
			return
		}
		upstream.ServeHTTP(w, r)
	}))
	t.Cleanup(proxy.Close)
	t.Setenv("FERRY_TEST_PROM_TOKEN", "pr0m-t0ken")
	time.Sleep(2 * time.Second) // samples over the window below
	below := 1.0
	q := platform.VerifyQuery{Name: "x", Query: "app_error_ratio", Below: &below}
	end := time.Now()
	for _, tc := range []struct {
		name  string
		token *platform.SecretRef
		ok    bool
	}{
		{"with the token", &platform.SecretRef{Env: "FERRY_TEST_PROM_TOKEN"}, true},
		{"without", nil, false},
	} {
		client, err := prometheusClient(&platform.Verify{Prometheus: proxy.URL, Token: tc.token})
		if err != nil {
			t.Fatal(err)
		}
		_, err = checkQuery(context.Background(), promv1.NewAPI(client), q, end.Add(-time.Second), end)
		if (err == nil) != tc.ok {
			t.Errorf("%s: %v", tc.name, err)
		}
		if err != nil && strings.Contains(err.Error(), "pr0m-t0ken") {
			t.Errorf("%s: the token is in the error: %v", tc.name, err)
		}
	}
	if _, err := prometheusClient(&platform.Verify{Prometheus: proxy.URL, Token: &platform.SecretRef{Env: "FERRY_TEST_NO_SUCH_TOKEN"}}); err == nil {
		t.Error("a token that is not set made a client")
	}
}
