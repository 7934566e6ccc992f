package platform

import (
	"fmt"
	"net/url"

	"github.com/prometheus/prometheus/promql/parser"
)

// verify checks a verify gate: where it reads, how long it soaks, and that
// every query is PromQL with exactly one threshold.
func (v *validator) verify(base string, g Gates) {
	vg := g.Verify
	if g.Deployed == "" {
		v.addf(base+".deployed", "gates.verify needs gates.deployed: the environment whose deployment is verified (no environment is fed by the source lane)")
	}
	v.prometheusURL(base+".verify.prometheus", vg.Prometheus)
	if vg.Token != nil {
		v.secret(base+".verify.token", *vg.Token)
	}
	if len(vg.Queries) == 0 {
		v.addf(base+".verify.queries", "verify needs at least one query")
	}
	seen := map[string]string{}
	for i, q := range vg.Queries {
		qb := fmt.Sprintf("%s.verify.queries[%d]", base, i)
		if v.name(qb+".name", q.Name) {
			v.dup(seen, qb+".name", "verify query", q.Name)
		}
		if (q.Below == nil) == (q.Above == nil) {
			v.addf(qb, "set exactly one of below or above (the threshold every sample must keep)")
		}
		if q.Query == "" {
			v.addf(qb+".query", "query is empty")
			continue
		}
		if _, err := parser.NewParser(parser.Options{}).ParseExpr(q.Query); err != nil {
			v.addf(qb+".query", "not PromQL: %v", err)
		}
	}
}

func (v *validator) prometheusURL(path, raw string) {
	if raw == "" {
		v.addf(path, "prometheus is empty: the base URL of the Prometheus that scrapes the environment, e.g. http://prometheus.staging-monitoring.svc:9090")
		return
	}
	u, err := url.Parse(raw)
	switch {
	case err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "":
		v.addf(path, "prometheus must be an http(s) URL with a host")
	case u.User != nil:
		v.addf(path, "prometheus must not hold credentials")
	}
}
