package platform

import (
	"testing"
	"time"
)

const verifyDoc = `  promotions:
    - from: staging
      to: main
      candidate: verified
      gates:
        verify:
          prometheus: http://prometheus.staging-monitoring.svc:9090
          token: {env: PROM_TOKEN}
          rollback: true
          queries:
            - name: error-ratio
              query: sum(rate(http_requests_total{code=~"5.."}[1m])) / sum(rate(http_requests_total[1m]))
              below: 0.01
            - name: ready
              query: min(kube_deployment_status_replicas_available)
              above: 0
`

// TestVerifyLoadAndDefaults: the gate defaults its soak and the
// environment it verifies (the one the source lane feeds), and each query
// keeps its threshold.
func TestVerifyLoadAndDefaults(t *testing.T) {
	t.Parallel()
	p := mustLoad(t, repo(t, header+verifyDoc))
	g := p.Spec.Promotions[0].Gates
	if g.Deployed != "staging" || g.Verify.Soak.Duration != DefaultSoak || !g.Verify.Rollback ||
		g.Verify.Token == nil || g.Verify.Token.Env != "PROM_TOKEN" {
		t.Fatalf("gates = %+v, verify %+v", g, g.Verify)
	}
	q := g.Verify.Queries
	if q[0].Threshold() != "< 0.01" || !q[0].Holds(0.001) || q[0].Holds(0.01) {
		t.Errorf("below: %s, holds(0.001) %v, holds(0.01) %v", q[0].Threshold(), q[0].Holds(0.001), q[0].Holds(0.01))
	}
	if q[1].Threshold() != "> 0" || !q[1].Holds(1) || q[1].Holds(0) {
		t.Errorf("above: %s", q[1].Threshold())
	}
	soaked := mustLoad(t, repo(t, header+verifyDoc[:len(verifyDoc)-len("              above: 0\n")]+"              above: 0\n          soak: 90s\n"))
	if got := soaked.Spec.Promotions[0].Gates.Verify.Soak.Duration; got != 90*time.Second {
		t.Errorf("soak = %v, want 90s", got)
	}
}

func TestVerifyProblems(t *testing.T) {
	t.Parallel()
	gate := "  promotions:\n    - from: staging\n      to: main\n      gates:\n        verify:\n"
	runErrorCases(t, []errorCase{
		{name: "url, queries",
			doc: gate + "          prometheus: \"http://admin:pw@prom:9090\"\n          queries:\n" +
				"            - {name: a, query: \"sum(rate(x[1m])\", below: 1}\n" +
				"            - {name: a, query: up, below: 1, above: 0}\n" +
				"            - {name: \"B C\", query: \"\"}\n",
			want: []wantProblem{{11, "spec.promotions[0].gates.verify.prometheus", "must not hold credentials"},
				{13, "spec.promotions[0].gates.verify.queries[0].query", "not PromQL"},
				{14, "spec.promotions[0].gates.verify.queries[1].name", "duplicate verify query"},
				{14, "spec.promotions[0].gates.verify.queries[1]", "exactly one of below or above"},
				{15, "spec.promotions[0].gates.verify.queries[2].name", ""},
				{15, "spec.promotions[0].gates.verify.queries[2]", "exactly one of below or above"},
				{15, "spec.promotions[0].gates.verify.queries[2].query", "query is empty"}}},
		{name: "nothing to verify",
			doc: gate + "          prometheus: ftp://prom\n          soak: -1m\n          queries:\n            - {name: a, query: up, below: .nan}\n",
			want: []wantProblem{{11, "spec.promotions[0].gates.verify.prometheus", "http(s) URL"},
				{12, "spec.promotions[0].gates.verify.soak", "negative"},
				{14, "spec.promotions[0].gates.verify.queries[0].below", "finite number"}}},
		{name: "token inline",
			doc:  gate + "          prometheus: http://prom:9090\n          token: s3cret-value\n          queries:\n            - {name: a, query: up, above: 0}\n",
			want: []wantProblem{{12, "spec.promotions[0].gates.verify.token", "never written into ferry.yaml"}}},
		{name: "no queries",
			doc:  gate + "          prometheus: http://prom:9090\n",
			want: []wantProblem{{10, "spec.promotions[0].gates.verify.queries", "at least one query"}}},
	})
}
