package metrics

import (
	"context"
	"log/slog"
	"strconv"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"ferry.dev/ferry/internal/store"
)

var (
	deploymentsDesc = prometheus.NewDesc("ferry_deployments_total",
		"Finished deployments recorded in the store (by the command line and the agent), by environment, target and the target's status (succeeded, failed, aborted).",
		[]string{"env", "target", "status"}, nil)
	promotionsDesc = prometheus.NewDesc("ferry_promotions_total",
		"Lane moves recorded in the store, by kind (promote, release, finish, rollback), lanes and whether a gate was overridden.",
		[]string{"kind", "from", "to", "override"}, nil)
	releasesDesc = prometheus.NewDesc("ferry_releases_total",
		"Releases recorded in the store (a version tag on the release lane), by lane.", []string{"lane"}, nil)
	leadTimeDesc = prometheus.NewDesc("ferry_lead_time_seconds",
		"Lead time for changes: the oldest new commit of each succeeded change deployment to the deployment's end, by environment (from the store).",
		[]string{"env"}, nil)
	storeUpDesc = prometheus.NewDesc("ferry_store_up",
		"1 when the last read of the store's tallies succeeded, else 0 (the counters then repeat the last good read).", nil, nil)
)

// Records is a collector of the store's tallies, read at most once per TTL
// however often Prometheus scrapes.
type Records struct {
	st  store.Store
	ttl time.Duration
	log *slog.Logger

	mu      sync.Mutex
	at      time.Time
	tallies store.Tallies
	leads   []store.LeadTimeHistogram
	up      bool
}

// LeadTimeBuckets are ferry_lead_time_seconds's bounds: 5 minutes to 30
// days.
var LeadTimeBuckets = []float64{300, 900, 1800, 3600, 7200, 21600, 43200, 86400, 172800, 604800, 1209600, 2592000}

// NewRecords reads st's tallies at most once per ttl.
func NewRecords(st store.Store, ttl time.Duration, log *slog.Logger) *Records {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &Records{st: st, ttl: ttl, log: log}
}

// Describe implements prometheus.Collector.
func (r *Records) Describe(ch chan<- *prometheus.Desc) {
	ch <- deploymentsDesc
	ch <- promotionsDesc
	ch <- releasesDesc
	ch <- leadTimeDesc
	ch <- storeUpDesc
}

// Collect implements prometheus.Collector.
func (r *Records) Collect(ch chan<- prometheus.Metric) {
	t, leads, up := r.read()
	for _, h := range leads {
		buckets := make(map[float64]uint64, len(LeadTimeBuckets))
		for i, b := range LeadTimeBuckets {
			buckets[b] = h.Buckets[i]
		}
		ch <- prometheus.MustNewConstHistogram(leadTimeDesc, h.Count, h.Sum, buckets, h.Env)
	}
	for _, d := range withZeros(t.Deployments) {
		ch <- prometheus.MustNewConstMetric(deploymentsDesc, prometheus.CounterValue, float64(d.Count), d.Env, d.Target, string(d.Status))
	}
	releases := map[string]int64{}
	for _, p := range t.Promotions {
		ch <- prometheus.MustNewConstMetric(promotionsDesc, prometheus.CounterValue, float64(p.Count),
			p.Kind, p.From, p.To, strconv.FormatBool(p.Override))
		if p.Kind == "release" {
			releases[p.To] += p.Count
		}
	}
	for lane, n := range releases {
		ch <- prometheus.MustNewConstMetric(releasesDesc, prometheus.CounterValue, float64(n), lane)
	}
	v := 0.0
	if up {
		v = 1
	}
	ch <- prometheus.MustNewConstMetric(storeUpDesc, prometheus.GaugeValue, v)
}

// finalStatuses are the statuses a finished deployment can have.
var finalStatuses = []store.Status{store.StatusSucceeded, store.StatusFailed, store.StatusAborted}

// withZeros adds a 0 for every final status a known environment target has
// no deployment of, so the first failure is an increase from 0 that
// increase() and rate() see, not a new series they cannot.
func withZeros(ds []store.DeploymentTally) []store.DeploymentTally {
	type key struct{ env, target string }
	have := map[key]map[store.Status]bool{}
	var order []key
	for _, d := range ds {
		k := key{d.Env, d.Target}
		if have[k] == nil {
			have[k] = map[store.Status]bool{}
			order = append(order, k)
		}
		have[k][d.Status] = true
	}
	out := append([]store.DeploymentTally(nil), ds...)
	for _, k := range order {
		for _, st := range finalStatuses {
			if !have[k][st] {
				out = append(out, store.DeploymentTally{Env: k.env, Target: k.target, Status: st})
			}
		}
	}
	return out
}

func (r *Records) read() (store.Tallies, []store.LeadTimeHistogram, bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if !r.at.IsZero() && time.Since(r.at) < r.ttl {
		return r.tallies, r.leads, r.up
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	r.at = time.Now()
	t, err := r.st.Tallies(ctx)
	var leads []store.LeadTimeHistogram
	if err == nil {
		leads, err = r.st.LeadTimes(ctx, LeadTimeBuckets)
	}
	if err != nil {
		r.log.Error("read the store's tallies for /metrics", "error", err.Error())
		r.up = false
		return r.tallies, r.leads, false
	}
	r.tallies, r.leads, r.up = t, leads, true
	return t, leads, true
}
