// Package metrics holds ferry serve's Prometheus metrics, on a registry of
// their own with the Go and process collectors. Labels are bounded: an
// environment, a lane, a status; a revision only in ferry_environment_info,
// one series per environment.
package metrics

import (
	"net/http"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// Metrics is what the agent reports. A nil *Metrics takes every call and
// records nothing, so the agent needs no checks.
type Metrics struct {
	reg          *prometheus.Registry
	envInfo      *prometheus.GaugeVec
	deployments  *prometheus.CounterVec
	deployDur    *prometheus.HistogramVec
	reconcileDur *prometheus.HistogramVec
	drift        *prometheus.GaugeVec
	promotions   *prometheus.CounterVec
	fetchDur     prometheus.Histogram
	fetchFail    prometheus.Counter
	leader       prometheus.Gauge

	mu      sync.Mutex
	envSeen map[string][2]string // env → the revision and state of its info series
}

// New builds the metrics and registers them.
func New() *Metrics {
	m := &Metrics{reg: prometheus.NewRegistry(), envSeen: map[string][2]string{}}
	m.envInfo = prometheus.NewGaugeVec(prometheus.GaugeOpts{Name: "ferry_environment_info",
		Help: "The agent's last outcome per environment (1): the lane revision it is about and the state (synced, up-to-date, out-of-sync, drift, healed, failed, blocked, promoted)."},
		[]string{"env", "revision", "state"})
	m.deployments = prometheus.NewCounterVec(prometheus.CounterOpts{Name: "ferry_deployments_total",
		Help: "Deployments the agent ran, by environment and status (succeeded, failed, blocked)."}, []string{"env", "status"})
	m.deployDur = prometheus.NewHistogramVec(prometheus.HistogramOpts{Name: "ferry_deployment_duration_seconds",
		Help:    "How long the agent's deployments took, whatever their status.",
		Buckets: []float64{0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600, 1800}}, []string{"env"})
	m.reconcileDur = prometheus.NewHistogramVec(prometheus.HistogramOpts{Name: "ferry_reconcile_duration_seconds",
		Help:    "How long one reconcile of an environment took.",
		Buckets: []float64{0.01, 0.05, 0.1, 0.5, 1, 5, 10, 30, 60, 300, 1800}}, []string{"env"})
	m.drift = prometheus.NewGaugeVec(prometheus.GaugeOpts{Name: "ferry_drift_resources",
		Help: "Objects and Terraform addresses that differed from the deployed revision at the last drift check."}, []string{"env"})
	m.promotions = prometheus.NewCounterVec(prometheus.CounterOpts{Name: "ferry_promotions_total",
		Help: "Auto promotions the agent tried, by lanes and result (promoted, blocked, failed)."}, []string{"from", "to", "result"})
	m.fetchDur = prometheus.NewHistogram(prometheus.HistogramOpts{Name: "ferry_git_fetch_duration_seconds",
		Help: "How long fetching the mirror took.", Buckets: []float64{0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30}})
	m.fetchFail = prometheus.NewCounter(prometheus.CounterOpts{Name: "ferry_git_fetch_failures_total",
		Help: "Fetches of the mirror that failed."})
	m.leader = prometheus.NewGauge(prometheus.GaugeOpts{Name: "ferry_agent_leader",
		Help: "1 while this process leads (reconciles), 0 while it follows."})
	m.reg.MustRegister(m.envInfo, m.deployments, m.deployDur, m.reconcileDur, m.drift, m.promotions,
		m.fetchDur, m.fetchFail, m.leader,
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	return m
}

// Register adds collectors of other parts (the webhook receivers).
func (m *Metrics) Register(cs ...prometheus.Collector) {
	if m != nil {
		m.reg.MustRegister(cs...)
	}
}

// Handler serves the exposition.
func (m *Metrics) Handler() http.Handler {
	return promhttp.HandlerFor(m.reg, promhttp.HandlerOpts{Registry: m.reg})
}

// Outcome sets env's info series to its latest outcome.
func (m *Metrics) Outcome(env, revision, state string) {
	if m == nil {
		return
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	if prev, ok := m.envSeen[env]; ok {
		m.envInfo.DeleteLabelValues(env, prev[0], prev[1])
	}
	m.envSeen[env] = [2]string{revision, state}
	m.envInfo.WithLabelValues(env, revision, state).Set(1)
}

// Deployed counts one deployment of env.
func (m *Metrics) Deployed(env, status string, took time.Duration) {
	if m == nil {
		return
	}
	m.deployments.WithLabelValues(env, status).Inc()
	m.deployDur.WithLabelValues(env).Observe(took.Seconds())
}

// Reconciled times one reconcile of env.
func (m *Metrics) Reconciled(env string, took time.Duration) {
	if m != nil {
		m.reconcileDur.WithLabelValues(env).Observe(took.Seconds())
	}
}

// Drift sets how much of env differed at its last drift check.
func (m *Metrics) Drift(env string, n int) {
	if m != nil {
		m.drift.WithLabelValues(env).Set(float64(n))
	}
}

// Promotion counts one auto promotion's result.
func (m *Metrics) Promotion(from, to, result string) {
	if m != nil {
		m.promotions.WithLabelValues(from, to, result).Inc()
	}
}

// Fetched times one fetch of the mirror.
func (m *Metrics) Fetched(took time.Duration, err error) {
	if m == nil {
		return
	}
	m.fetchDur.Observe(took.Seconds())
	if err != nil {
		m.fetchFail.Inc()
	}
}

// Leading says whether this process leads.
func (m *Metrics) Leading(yes bool) {
	if m == nil {
		return
	}
	if yes {
		m.leader.Set(1)
	} else {
		m.leader.Set(0)
	}
}
