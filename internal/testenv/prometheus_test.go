package testenv_test

import (
	"net"
	"net/http"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"
	"github.com/prometheus/common/model"

	"ferry.dev/ferry/internal/testenv"
)

// TestPrometheusScrapes starts the real Prometheus against a tiny exporter
// that wants a bearer token, and reads the exporter's gauge back by PromQL.
func TestPrometheusScrapes(t *testing.T) {
	reg := prometheus.NewRegistry()
	g := prometheus.NewGauge(prometheus.GaugeOpts{Name: "testenv_answer", Help: "A value the test sets."})
	reg.MustRegister(g)
	g.Set(42)
	metrics := promhttp.HandlerFor(reg, promhttp.HandlerOpts{})
	srv := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Authorization") != "Bearer s3cret" {
			http.Error(w, "unauthorized", http.StatusUnauthorized)
			return
		}
		metrics.ServeHTTP(w, r)
	})}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go srv.Serve(l)
	t.Cleanup(func() { srv.Close() })

	p := testenv.StartPrometheus(t, testenv.PrometheusOptions{Targets: []string{l.Addr().String()}, BearerToken: "s3cret"})
	p.WaitScraped(t, 30*time.Second)
	v := p.WaitQuery(t, "testenv_answer", 10*time.Second, func(v model.Vector) bool { return len(v) == 1 })
	if v[0].Value != 42 {
		t.Fatalf("testenv_answer = %v, want 42", v[0].Value)
	}
	g.Set(7)
	p.WaitQuery(t, "testenv_answer", 10*time.Second, func(v model.Vector) bool { return len(v) == 1 && v[0].Value == 7 })
}
