package server

import (
	"github.com/prometheus/client_golang/prometheus"

	"ferry.dev/ferry/internal/webhook"
)

// webhookCounters are ferry_webhook_requests_total{result}, read from the
// receiver's own counters at each scrape.
func webhookCounters(r *webhook.Receiver) []prometheus.Collector {
	results := map[string]func(webhook.Stats) uint64{
		"accepted":     func(s webhook.Stats) uint64 { return s.Accepted },
		"ignored":      func(s webhook.Stats) uint64 { return s.Ignored },
		"unauthorized": func(s webhook.Stats) uint64 { return s.Unauthorized },
		"too_large":    func(s webhook.Stats) uint64 { return s.TooLarge },
		"bad_request":  func(s webhook.Stats) uint64 { return s.BadRequest },
		"replayed":     func(s webhook.Stats) uint64 { return s.Replayed },
		"ping":         func(s webhook.Stats) uint64 { return s.Ping },
	}
	var out []prometheus.Collector
	for result, get := range results {
		out = append(out, prometheus.NewCounterFunc(prometheus.CounterOpts{
			Name:        "ferry_webhook_requests_total",
			Help:        "Webhook deliveries received, by result.",
			ConstLabels: prometheus.Labels{"result": result},
		}, func() float64 { return float64(get(r.Stats())) }))
	}
	return out
}
