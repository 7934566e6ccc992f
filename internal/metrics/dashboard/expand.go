package dashboard

import "strings"

// Expand replaces Grafana's interval variables with a duration Prometheus
// takes, as Grafana does before it sends a query.
func Expand(expr string) string {
	return strings.NewReplacer("$__rate_interval", "1m", "$__interval", "1m", "$__range", "1h").Replace(expr)
}
