package metrics

import (
	"context"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"ferry.dev/ferry/internal/dora"
)

// DORASource computes the DORA reports the gauges show (one per
// environment); the collector calls it on a scrape when its cache is older
// than the TTL.
type DORASource func(ctx context.Context) ([]dora.Report, error)

// DORACollector exposes the DORA figures as gauges labelled by env,
// computed on scrape (one store query per environment) and cached, so
// frequent scrapes cost nothing and the agent keeps no state for them. A
// failed computation exposes nothing (the scrape itself still succeeds).
type DORACollector struct {
	src     DORASource
	ttl     time.Duration
	timeout time.Duration
	now     func() time.Time

	mu      sync.Mutex
	at      time.Time
	reports []dora.Report
}

// NewDORACollector caches src's reports for ttl.
func NewDORACollector(src DORASource, ttl time.Duration) *DORACollector {
	return &DORACollector{src: src, ttl: ttl, timeout: 5 * time.Second, now: time.Now}
}

type doraGauge struct {
	desc  *prometheus.Desc
	value func(dora.Report) float64
}

var doraGauges = []doraGauge{
	{prometheus.NewDesc("ferry_dora_deployments_per_day", "DORA deployment frequency: successful deployments that brought a change, per day over the window.", []string{"env"}, nil),
		func(r dora.Report) float64 { return r.DeploymentFrequency.PerDay }},
	{prometheus.NewDesc("ferry_dora_lead_time_median_seconds", "DORA lead time for changes: median from a change's first commit to its deployment's end.", []string{"env"}, nil),
		func(r dora.Report) float64 { return r.LeadTime.MedianSeconds }},
	{prometheus.NewDesc("ferry_dora_lead_time_p90_seconds", "DORA lead time for changes: 90th percentile.", []string{"env"}, nil),
		func(r dora.Report) float64 { return r.LeadTime.P90Seconds }},
	{prometheus.NewDesc("ferry_dora_change_failure_ratio", "DORA change failure rate: deployments that failed, were rolled back or needed a hotfix, over all change deployments.", []string{"env"}, nil),
		func(r dora.Report) float64 { return r.ChangeFailureRate.Ratio }},
	{prometheus.NewDesc("ferry_dora_recovery_time_median_seconds", "DORA failed deployment recovery time: median from a failure to the next good deployment.", []string{"env"}, nil),
		func(r dora.Report) float64 { return r.RecoveryTime.MedianSeconds }},
	{prometheus.NewDesc("ferry_dora_rework_ratio", "DORA deployment rework rate: hotfix deployments over all change deployments.", []string{"env"}, nil),
		func(r dora.Report) float64 { return r.ReworkRate.Ratio }},
	{prometheus.NewDesc("ferry_dora_window_seconds", "The length of the window the ferry_dora_* figures cover.", []string{"env"}, nil),
		func(r dora.Report) float64 { return r.To.Sub(r.From).Seconds() }},
}

// Describe sends every gauge's description.
func (c *DORACollector) Describe(ch chan<- *prometheus.Desc) {
	for _, g := range doraGauges {
		ch <- g.desc
	}
}

// Collect sends the gauges of the cached (or freshly computed) reports.
func (c *DORACollector) Collect(ch chan<- prometheus.Metric) {
	for _, r := range c.current() {
		for _, g := range doraGauges {
			ch <- prometheus.MustNewConstMetric(g.desc, prometheus.GaugeValue, g.value(r), r.Env)
		}
	}
}

func (c *DORACollector) current() []dora.Report {
	c.mu.Lock()
	defer c.mu.Unlock()
	if !c.at.IsZero() && c.now().Sub(c.at) < c.ttl {
		return c.reports
	}
	ctx, cancel := context.WithTimeout(context.Background(), c.timeout)
	defer cancel()
	reports, err := c.src(ctx)
	if err != nil {
		reports = nil // stale figures would mislead; the next scrape retries
	}
	c.at, c.reports = c.now(), reports
	return reports
}
