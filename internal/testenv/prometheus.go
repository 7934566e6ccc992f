package testenv

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/api"
	promv1 "github.com/prometheus/client_golang/api/prometheus/v1"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"
	"github.com/prometheus/common/model"
)

// A real Prometheus for tests: the machine's prometheus binary (Debian
// package prometheus; make setup installs it) started per test in a temp
// dir on a free loopback port, scraping the targets the test names at a
// short interval. Tests query it through its HTTP API, as Grafana and
// alerting do.

func init() {
	howToGet["prometheus"] = "install prometheus (apt-get install -y prometheus; make setup does)"
	howToGet["promtool"] = "install prometheus, which ships promtool (apt-get install -y prometheus; make setup does)"
}

// PrometheusOptions say what a test Prometheus scrapes.
type PrometheusOptions struct {
	// Targets are host:port addresses scraped at /metrics (job "ferry").
	Targets []string
	// BearerToken, when set, is sent on every scrape.
	BearerToken string
	// Interval is the scrape and rule evaluation interval (default 1s).
	Interval time.Duration
	// RuleFiles are loaded as recording and alerting rules.
	RuleFiles []string
}

// Prometheus is a running test Prometheus.
type Prometheus struct {
	URL string // http://127.0.0.1:PORT
	API promv1.API
	dir string
}

// StartPrometheus starts a Prometheus for t, stopped when t ends. A missing
// binary skips t (fails it when CI=true).
func StartPrometheus(t testing.TB, o PrometheusOptions) *Prometheus {
	t.Helper()
	bin := Require(t, "prometheus")
	p, proc, err := startPrometheus(bin, t.TempDir(), o)
	if err != nil {
		t.Fatalf("testenv: %v", err)
	}
	t.Cleanup(func() { proc.stop(5 * time.Second) })
	return p
}

func startPrometheus(bin, dir string, o PrometheusOptions) (*Prometheus, *process, error) {
	if o.Interval <= 0 {
		o.Interval = time.Second
	}
	cfg, err := writePrometheusConfig(dir, o)
	if err != nil {
		return nil, nil, err
	}
	port, err := FreePort()
	if err != nil {
		return nil, nil, err
	}
	addr := fmt.Sprintf("127.0.0.1:%d", port)
	args := []string{"--config.file=" + cfg, "--storage.tsdb.path=" + filepath.Join(dir, "data"),
		"--web.listen-address=" + addr, "--web.enable-lifecycle", "--log.level=warn",
		"--storage.tsdb.retention.time=1h"}
	proc, err := startProcess("prometheus", bin, args, filepath.Join(dir, "prometheus.log"), os.Environ())
	if err != nil {
		return nil, nil, err
	}
	p := &Prometheus{URL: "http://" + addr, dir: dir}
	client, err := api.NewClient(api.Config{Address: p.URL})
	if err != nil {
		proc.stop(time.Second)
		return nil, nil, fmt.Errorf("prometheus client: %w", err)
	}
	p.API = promv1.NewAPI(client)
	if err := waitPrometheusReady(p.URL, proc, 30*time.Second); err != nil {
		proc.stop(time.Second)
		return nil, nil, err
	}
	return p, proc, nil
}

func writePrometheusConfig(dir string, o PrometheusOptions) (string, error) {
	var b strings.Builder
	fmt.Fprintf(&b, "global:\n  scrape_interval: %s\n  evaluation_interval: %s\n", o.Interval, o.Interval)
	if len(o.RuleFiles) > 0 {
		b.WriteString("rule_files:\n")
		for _, f := range o.RuleFiles {
			abs, err := filepath.Abs(f)
			if err != nil {
				return "", err
			}
			fmt.Fprintf(&b, "  - %q\n", abs)
		}
	}
	b.WriteString("scrape_configs:\n  - job_name: ferry\n")
	if o.BearerToken != "" {
		tokenFile := filepath.Join(dir, "scrape-token")
		if err := os.WriteFile(tokenFile, []byte(o.BearerToken), 0o600); err != nil {
			return "", fmt.Errorf("write scrape token: %w", err)
		}
		fmt.Fprintf(&b, "    authorization:\n      credentials_file: %q\n", tokenFile)
	}
	b.WriteString("    static_configs:\n      - targets: [")
	for i, t := range o.Targets {
		if i > 0 {
			b.WriteString(", ")
		}
		fmt.Fprintf(&b, "%q", t)
	}
	b.WriteString("]\n")
	path := filepath.Join(dir, "prometheus.yml")
	if err := os.WriteFile(path, []byte(b.String()), 0o600); err != nil {
		return "", fmt.Errorf("write prometheus config: %w", err)
	}
	return path, nil
}

func waitPrometheusReady(url string, proc *process, timeout time.Duration) error {
	deadline := time.Now().Add(timeout)
	for {
		if err := proc.exited(); err != nil {
			return err
		}
		resp, err := http.Get(url + "/-/ready")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return nil
			}
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("prometheus at %s not ready after %s (log %s):\n%s", url, timeout,
				proc.logPath, logTail(proc.logPath, 20))
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// Query runs an instant PromQL query now.
func (p *Prometheus) Query(ctx context.Context, q string) (model.Vector, error) {
	v, warnings, _, err := p.API.Query(ctx, q, time.Now())
	if err != nil {
		return nil, fmt.Errorf("query %q: %w", q, err)
	}
	if len(warnings) > 0 {
		return nil, fmt.Errorf("query %q: warnings %v", q, warnings)
	}
	vec, ok := v.(model.Vector)
	if !ok {
		return nil, fmt.Errorf("query %q: got a %s, want a vector", q, v.Type())
	}
	return vec, nil
}

// WaitQuery polls q until ok accepts its result or timeout passes, and
// returns the last result; on timeout it fails t with the last result.
func (p *Prometheus) WaitQuery(t testing.TB, q string, timeout time.Duration, ok func(model.Vector) bool) model.Vector {
	t.Helper()
	deadline := time.Now().Add(timeout)
	var last model.Vector
	var lastErr error
	for time.Now().Before(deadline) {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		last, lastErr = p.Query(ctx, q)
		cancel()
		if lastErr == nil && ok(last) {
			return last
		}
		time.Sleep(200 * time.Millisecond)
	}
	t.Fatalf("prometheus: %s did not hold within %s: last result %v, error %v", q, timeout, last, lastErr)
	return nil
}

// WaitScraped waits until every target has been scraped successfully.
func (p *Prometheus) WaitScraped(t testing.TB, timeout time.Duration) {
	t.Helper()
	p.WaitQuery(t, `up{job="ferry"}`, timeout, func(v model.Vector) bool {
		if len(v) == 0 {
			return false
		}
		for _, s := range v {
			if s.Value != 1 {
				return false
			}
		}
		return true
	})
}

// Alerts returns the alerts Prometheus holds (pending or firing).
func (p *Prometheus) Alerts(ctx context.Context) ([]promv1.Alert, error) {
	r, err := p.API.Alerts(ctx)
	if err != nil {
		return nil, fmt.Errorf("prometheus alerts: %w", err)
	}
	return r.Alerts, nil
}

// StartExporter serves one gauge, whose value the test sets, at
// http://ADDR/metrics on a free loopback port until t ends: a tiny
// exporter for a test Prometheus to scrape.
func StartExporter(t testing.TB, name, help string) (addr string, g prometheus.Gauge) {
	t.Helper()
	reg := prometheus.NewRegistry()
	g = prometheus.NewGauge(prometheus.GaugeOpts{Name: name, Help: help})
	reg.MustRegister(g)
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("testenv: exporter: %v", err)
	}
	srv := &http.Server{Handler: promhttp.HandlerFor(reg, promhttp.HandlerOpts{})}
	go srv.Serve(l)
	t.Cleanup(func() { srv.Close() })
	return l.Addr().String(), g
}
