package server_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"ferry.dev/ferry/internal/agent"
	"ferry.dev/ferry/internal/auth"
	"ferry.dev/ferry/internal/dora"
	"ferry.dev/ferry/internal/metrics"
	"ferry.dev/ferry/internal/scaffold"
	"ferry.dev/ferry/internal/server"
	"ferry.dev/ferry/internal/store"
	"ferry.dev/ferry/internal/testenv"
)

// TestDoraAPI: GET /api/v1/dora answers the report of ferry dora -o json
// for the reference platform's production (the default) or a named
// environment; bad input is a JSON error with a hint; /metrics carries the
// DORA gauges.
func TestDoraAPI(t *testing.T) {
	testenv.GitIsolate(t)
	ctx := context.Background()
	dir := filepath.Join(t.TempDir(), "platform")
	if _, err := scaffold.Init(ctx, dir, false); err != nil {
		t.Fatal(err)
	}
	st, err := store.OpenSQLite(ctx, filepath.Join(t.TempDir(), "state.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	now := time.Now()
	for i, status := range []store.Status{store.StatusSucceeded, store.StatusFailed, store.StatusSucceeded} {
		begin := now.Add(time.Duration(i-3) * time.Hour)
		id, err := st.StartDeployment(ctx, store.Deployment{Env: "production", Revision: "r", StartedAt: begin,
			Change: &store.Change{Kind: store.ChangeNormal, Commits: 1, FirstCommitAt: begin.Add(-time.Hour)}})
		if err == nil {
			err = st.FinishDeployment(ctx, id, store.DeploymentResult{Status: status, EndedAt: begin.Add(time.Minute)})
		}
		if err != nil {
			t.Fatal(err)
		}
	}
	tok, hash, _ := auth.NewToken()
	if _, err := st.CreateToken(ctx, store.Token{Name: "dora", Hash: hash, Role: store.RoleViewer}); err != nil {
		t.Fatal(err)
	}
	a, err := agent.New(ctx, agent.Config{Source: dir, StateDir: t.TempDir(), Store: st, PollInterval: time.Hour, NoWatch: true})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(server.Handler(server.Config{Agent: a, Store: st, Metrics: metrics.New()}))
	defer srv.Close()
	if code, body := getBody(t, tok, srv.URL+"/api/v1/dora"); code != http.StatusServiceUnavailable || !strings.Contains(body, `"not_ready"`) {
		t.Fatalf("before the first fetch = %d %s, want 503 not_ready", code, body)
	}
	if err := a.Mirror().Fetch(ctx); err != nil {
		t.Fatal(err)
	}

	code, body := getBody(t, tok, srv.URL+"/api/v1/dora?since=1d")
	var rep dora.Report
	if err := json.Unmarshal([]byte(body), &rep); err != nil || code != http.StatusOK {
		t.Fatalf("GET /api/v1/dora = %d %s (%v)", code, body, err)
	}
	if rep.Env != "production" || rep.DeploymentFrequency.Count != 2 || rep.ChangeFailureRate.Count != 1 ||
		rep.RecoveryTime.MedianSeconds != 3600 || rep.To.Sub(rep.From) != 24*time.Hour {
		t.Fatalf("report %+v", rep)
	}
	if code, body := getBody(t, tok, srv.URL+"/api/v1/dora?env=staging"); code != http.StatusOK || !strings.Contains(body, `"env": "staging"`) && !strings.Contains(body, `"env":"staging"`) {
		t.Fatalf("staging = %d %s", code, body)
	}
	for _, tc := range []struct {
		query, code string
		status      int
	}{{"?since=90", "invalid_since", http.StatusBadRequest}, {"?env=nowhere", "unknown_env", http.StatusNotFound}} {
		status, body := getBody(t, tok, srv.URL+"/api/v1/dora"+tc.query)
		var e map[string]string
		if err := json.Unmarshal([]byte(body), &e); err != nil || status != tc.status || e["code"] != tc.code ||
			e["message"] == "" || e["hint"] == "" {
			t.Errorf("%s = %d %s, want %d with code %s, a message and a hint", tc.query, status, body, tc.status, tc.code)
		}
	}
	_, exposition := getBody(t, "", srv.URL+"/metrics")
	for _, want := range []string{`ferry_dora_change_failure_ratio{env="production"} 0.3333`,
		`ferry_dora_deployments_per_day{env="production"} 0.0222`, `ferry_dora_recovery_time_median_seconds{env="production"} 3600`} {
		if !strings.Contains(exposition, want) {
			t.Errorf("/metrics lacks %s", want)
		}
	}
}

func getBody(t *testing.T, token, url string) (int, string) {
	t.Helper()
	req, _ := http.NewRequest("GET", url, nil)
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, string(b)
}
