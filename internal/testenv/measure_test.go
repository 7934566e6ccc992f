package testenv

import (
	"os"
	"testing"
)

const exposition = `# HELP ferry_reconcile_duration_seconds How long one reconcile took.
# TYPE ferry_reconcile_duration_seconds histogram
ferry_reconcile_duration_seconds_bucket{env="dev",le="1"} 2
ferry_reconcile_duration_seconds_bucket{env="dev",le="+Inf"} 3
ferry_reconcile_duration_seconds_sum{env="dev"} 4.5
ferry_reconcile_duration_seconds_count{env="dev"} 3
ferry_reconcile_duration_seconds_bucket{env="prod",le="1"} 1
ferry_reconcile_duration_seconds_bucket{env="prod",le="+Inf"} 1
ferry_reconcile_duration_seconds_sum{env="prod"} 0.25
ferry_reconcile_duration_seconds_count{env="prod"} 1
# HELP apiserver_request_total Requests.
# TYPE apiserver_request_total counter
apiserver_request_total{verb="APPLY",resource="configmaps",dry_run=""} 7
apiserver_request_total{verb="APPLY",resource="configmaps",dry_run="All"} 100
apiserver_request_total{verb="GET",resource="configmaps"} 50
apiserver_request_total{verb="PUT",resource="leases"} 9
`

func TestSumMetric(t *testing.T) {
	for _, c := range []struct {
		name  string
		match map[string]string
		want  float64
	}{
		{"ferry_reconcile_duration_seconds_count", nil, 4},
		{"ferry_reconcile_duration_seconds_count", map[string]string{"env": "dev"}, 3},
		{"ferry_reconcile_duration_seconds_sum", map[string]string{"env": "prod"}, 0.25},
		{"apiserver_request_total", map[string]string{"verb": "APPLY"}, 107},
		{"apiserver_request_total", map[string]string{"verb": "APPLY", "dry_run": ""}, 7},
		{"no_such_series", nil, 0},
	} {
		got, err := SumMetric(exposition, c.name, c.match)
		if err != nil || got != c.want {
			t.Errorf("SumMetric(%s, %v) = %v, %v; want %v", c.name, c.match, got, err, c.want)
		}
	}
	if _, err := SumMetric("not { an exposition", "x", nil); err == nil {
		t.Error("a broken exposition parsed")
	}
}

func TestProcMeasures(t *testing.T) {
	// Burn a little CPU so the process's own ticks are above zero.
	x := 0
	for i := range 50_000_000 {
		x ^= i
	}
	_ = x
	cpu, err := ProcCPU(os.Getpid())
	if err != nil || cpu <= 0 {
		t.Fatalf("ProcCPU(self) = %v, %v", cpu, err)
	}
	st, err := ProcStatus(os.Getpid())
	if err != nil || st["VmRSS"] <= 0 || st["VmHWM"] < st["VmRSS"] {
		t.Fatalf("ProcStatus(self) = %v, %v", st, err)
	}
	if _, err := ProcCPU(-1); err == nil {
		t.Error("ProcCPU of no process succeeded")
	}
}
