package server

import (
	"github.com/prometheus/client_golang/prometheus"

	"ferry.dev/ferry/internal/webhook"
)

var webhookDesc = prometheus.NewDesc("ferry_webhook_requests_total",
	"Webhook deliveries received, by Git host provider and result.", []string{"provider", "result"}, nil)

// webhookCollector exposes ferry_webhook_requests_total{provider,result},
// read from the receiver's own counters at each scrape.
type webhookCollector struct{ r *webhook.Receiver }

func (c webhookCollector) Describe(ch chan<- *prometheus.Desc) { ch <- webhookDesc }

func (c webhookCollector) Collect(ch chan<- prometheus.Metric) {
	for provider, s := range c.r.ProviderStats() {
		for result, n := range map[string]uint64{
			"accepted": s.Accepted, "ignored": s.Ignored, "unauthorized": s.Unauthorized,
			"too_large": s.TooLarge, "bad_request": s.BadRequest, "replayed": s.Replayed, "ping": s.Ping,
		} {
			ch <- prometheus.MustNewConstMetric(webhookDesc, prometheus.CounterValue, float64(n), provider, result)
		}
	}
}
