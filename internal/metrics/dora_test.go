package metrics

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"

	"ferry.dev/ferry/internal/dora"
)

// TestDORACollector: the gauges show the source's reports, computed on
// scrape and cached for the TTL; a failing source exposes nothing. The
// source is a plain function here: the store-backed one is tested in
// package server against a real store.
func TestDORACollector(t *testing.T) {
	t.Parallel()
	calls := 0
	var fail error
	src := func(context.Context) ([]dora.Report, error) {
		calls++
		from := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
		return []dora.Report{{Env: "production", From: from, To: from.Add(90 * 24 * time.Hour),
			DeploymentFrequency: dora.Frequency{PerDay: 1.5},
			ChangeFailureRate:   dora.Rate{Ratio: 0.125}, ReworkRate: dora.Rate{Ratio: 0.05},
			LeadTime: dora.Durations{MedianSeconds: 3600, P90Seconds: 7200}, RecoveryTime: dora.Durations{MedianSeconds: 600}}}, fail
	}
	c := NewDORACollector(src, time.Minute)
	now := time.Unix(1e9, 0)
	c.now = func() time.Time { return now }
	reg := prometheus.NewRegistry()
	reg.MustRegister(c)
	want := `
# HELP ferry_dora_change_failure_ratio DORA change failure rate: deployments that failed, were rolled back or needed a hotfix, over all change deployments.
# TYPE ferry_dora_change_failure_ratio gauge
ferry_dora_change_failure_ratio{env="production"} 0.125
# HELP ferry_dora_lead_time_p90_seconds DORA lead time for changes: 90th percentile.
# TYPE ferry_dora_lead_time_p90_seconds gauge
ferry_dora_lead_time_p90_seconds{env="production"} 7200
# HELP ferry_dora_window_seconds The length of the window the ferry_dora_* figures cover.
# TYPE ferry_dora_window_seconds gauge
ferry_dora_window_seconds{env="production"} 7.776e+06
`
	names := []string{"ferry_dora_change_failure_ratio", "ferry_dora_lead_time_p90_seconds", "ferry_dora_window_seconds"}
	if err := testutil.GatherAndCompare(reg, strings.NewReader(want), names...); err != nil {
		t.Fatal(err)
	}
	if n := testutil.CollectAndCount(c); n != len(doraGauges) || calls != 1 {
		t.Fatalf("%d series after %d source calls, want %d series from 1 call (cached)", n, calls, len(doraGauges))
	}
	problems, err := testutil.GatherAndLint(reg)
	if err != nil || len(problems) > 0 {
		t.Fatalf("promlint: %v %v", problems, err)
	}
	now = now.Add(time.Minute)
	fail = errors.New("store down")
	if n := testutil.CollectAndCount(c); n != 0 || calls != 2 {
		t.Fatalf("failing source: %d series, %d calls; want none after a second call", n, calls)
	}
}
