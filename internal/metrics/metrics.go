// Package metrics holds ferry serve's Prometheus metrics, on a registry of
// their own with the Go and process collectors. Two sources feed it: the
// agent reports what this process sees (outcomes, drift, gates, timings,
// fetches, leadership), and Records reads the store's tallies at scrape
// time, so the deployment and promotion counters include what the command
// line did too. Labels are bounded: environments, targets, lanes, gates,
// statuses; revisions and versions only in ferry_environment_info, one
// series per environment target.
package metrics

import (
	"crypto/subtle"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"ferry.dev/ferry/internal/store"
)

// Metrics is what the agent reports. A nil *Metrics takes every call and
// records nothing, so the agent needs no checks.
type Metrics struct {
	reg            *prometheus.Registry
	envInfo        *prometheus.GaugeVec
	deployDur      *prometheus.HistogramVec
	reconcileDur   *prometheus.HistogramVec
	driftObjects   *prometheus.GaugeVec
	driftResources *prometheus.GaugeVec
	autoPromotions *prometheus.CounterVec
	gateBlocked    *prometheus.GaugeVec
	fetchDur       prometheus.Histogram
	fetchFail      prometheus.Counter
	leader         prometheus.Gauge

	mu      sync.Mutex
	envSeen map[string][][]string      // env → the label values of its info series
	gates   map[string]map[string]bool // lane → gates ever reported for it
}

// New builds the metrics and registers them.
func New() *Metrics {
	m := &Metrics{reg: prometheus.NewRegistry(), envSeen: map[string][][]string{}, gates: map[string]map[string]bool{}}
	m.envInfo = prometheus.NewGaugeVec(prometheus.GaugeOpts{Name: "ferry_environment_info",
		Help: "1 per environment target: the revision and version its last successful deployment put there, that deployment's health (healthy, unhealthy, unknown) and the agent's last outcome as sync (synced, up-to-date, out-of-sync, drift, healed, failed, blocked, promoted)."},
		[]string{"env", "target", "revision", "version", "health", "sync"})
	m.deployDur = prometheus.NewHistogramVec(prometheus.HistogramOpts{Name: "ferry_deployment_duration_seconds",
		Help:    "How long the agent's deployments took, by environment and status (succeeded, failed, blocked).",
		Buckets: []float64{0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600, 1800}}, []string{"env", "status"})
	m.reconcileDur = prometheus.NewHistogramVec(prometheus.HistogramOpts{Name: "ferry_reconcile_duration_seconds",
		Help:    "How long one reconcile of an environment took.",
		Buckets: []float64{0.01, 0.05, 0.1, 0.5, 1, 5, 10, 30, 60, 300, 1800}}, []string{"env"})
	m.driftObjects = prometheus.NewGaugeVec(prometheus.GaugeOpts{Name: "ferry_drift_objects",
		Help: "Kubernetes objects of a target that differed from the deployed revision at the last drift check."}, []string{"env", "target"})
	m.driftResources = prometheus.NewGaugeVec(prometheus.GaugeOpts{Name: "ferry_drift_resources",
		Help: "Terraform addresses of a target that a plan of the deployed revision would change, at the last drift check."}, []string{"env", "target"})
	m.autoPromotions = prometheus.NewCounterVec(prometheus.CounterOpts{Name: "ferry_auto_promotions_total",
		Help: "Auto promotions the agent tried, by lanes and result (promoted, blocked, failed)."}, []string{"from", "to", "result"})
	m.gateBlocked = prometheus.NewGaugeVec(prometheus.GaugeOpts{Name: "ferry_gate_blocked",
		Help: "1 while the agent's last auto promotion into lane was refused by gate, else 0."}, []string{"lane", "gate"})
	m.fetchDur = prometheus.NewHistogram(prometheus.HistogramOpts{Name: "ferry_git_fetch_duration_seconds",
		Help: "How long fetching the mirror took.", Buckets: []float64{0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30}})
	m.fetchFail = prometheus.NewCounter(prometheus.CounterOpts{Name: "ferry_git_fetch_failures_total",
		Help: "Fetches of the mirror that failed."})
	m.leader = prometheus.NewGauge(prometheus.GaugeOpts{Name: "ferry_agent_leader",
		Help: "1 while this process leads (reconciles), 0 while it follows."})
	m.reg.MustRegister(m.envInfo, m.deployDur, m.reconcileDur, m.driftObjects, m.driftResources,
		m.autoPromotions, m.gateBlocked, m.fetchDur, m.fetchFail, m.leader,
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	return m
}

// Register adds collectors of other parts (the webhook receivers, Records).
func (m *Metrics) Register(cs ...prometheus.Collector) {
	if m != nil {
		m.reg.MustRegister(cs...)
	}
}

// Handler serves the exposition; with a token, only to requests that bear
// it (Authorization: Bearer TOKEN, compared in constant time).
func (m *Metrics) Handler(token []byte) http.Handler {
	h := promhttp.HandlerFor(m.reg, promhttp.HandlerOpts{Registry: m.reg, ErrorHandling: promhttp.ContinueOnError})
	if len(token) == 0 {
		return h
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		got, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
		if !ok || subtle.ConstantTimeCompare([]byte(got), token) != 1 {
			w.Header().Set("WWW-Authenticate", `Bearer realm="ferry metrics"`)
			http.Error(w, "unauthorized: /metrics needs the metrics token (Authorization: Bearer ...)", http.StatusUnauthorized)
			return
		}
		h.ServeHTTP(w, r)
	})
}

// Environment sets env's info series: one per target of its last successful
// deployment (deployed; nil when it has none), with the agent's last
// outcome as the sync state.
func (m *Metrics) Environment(env, sync string, deployed *store.Deployment) {
	if m == nil {
		return
	}
	rows := infoRows(env, sync, deployed)
	m.mu.Lock()
	defer m.mu.Unlock()
	for _, prev := range m.envSeen[env] {
		m.envInfo.DeleteLabelValues(prev...)
	}
	m.envSeen[env] = rows
	for _, r := range rows {
		m.envInfo.WithLabelValues(r...).Set(1)
	}
}

func infoRows(env, sync string, d *store.Deployment) [][]string {
	if d == nil {
		return [][]string{{env, "", "", "", "unknown", sync}}
	}
	health := "unhealthy"
	if d.Healthy {
		health = "healthy"
	}
	var rows [][]string
	for _, t := range d.Targets {
		rows = append(rows, []string{env, t.Target, d.Revision, d.Version, health, sync})
	}
	if len(rows) == 0 {
		rows = append(rows, []string{env, d.Target, d.Revision, d.Version, health, sync})
	}
	return rows
}

// Deployed times one deployment the agent ran.
func (m *Metrics) Deployed(env, status string, took time.Duration) {
	if m != nil {
		m.deployDur.WithLabelValues(env, status).Observe(took.Seconds())
	}
}

// Reconciled times one reconcile of env.
func (m *Metrics) Reconciled(env string, took time.Duration) {
	if m != nil {
		m.reconcileDur.WithLabelValues(env).Observe(took.Seconds())
	}
}

// Drift sets how much of a target differed at its last drift check.
func (m *Metrics) Drift(env, target string, objects, resources int) {
	if m != nil {
		m.driftObjects.WithLabelValues(env, target).Set(float64(objects))
		m.driftResources.WithLabelValues(env, target).Set(float64(resources))
	}
}

// Promotion counts one auto promotion's result.
func (m *Metrics) Promotion(from, to, result string) {
	if m != nil {
		m.autoPromotions.WithLabelValues(from, to, result).Inc()
	}
}

// Gates sets the gates of the last auto promotion into lane: 1 for those
// that refused it, 0 for every other gate seen for lane.
func (m *Metrics) Gates(lane string, refused []string) {
	if m == nil {
		return
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	seen := m.gates[lane]
	if seen == nil {
		seen = map[string]bool{}
		m.gates[lane] = seen
	}
	for g := range seen {
		m.gateBlocked.WithLabelValues(lane, g).Set(0)
	}
	for _, g := range refused {
		seen[g] = true
		m.gateBlocked.WithLabelValues(lane, g).Set(1)
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
