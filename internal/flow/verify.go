package flow

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/prometheus/client_golang/api"
	promv1 "github.com/prometheus/client_golang/api/prometheus/v1"
	"github.com/prometheus/common/model"

	"ferry.dev/ferry/internal/platform"
)

// verifySteps is how many evaluations a soak is cut into (at least one
// per second): every one of them must hold.
const verifySteps = 30

// verifyGate passes when every query of the gate held at every step of the
// soak that began when gates.deployed's environment finished deploying the
// candidate (the deployment the passed deployed gate found). During the
// soak it is Pending (Until says when it may pass);
// a query that broke its threshold, or had no data, fails it.
func (e *Engine) verifyGate(ctx context.Context, pr platform.Promotion, deployed Gate) Gate {
	g := Gate{Name: "verify"}
	v, env := pr.Gates.Verify, pr.Gates.Deployed
	if !deployed.Passed || deployed.deployment == nil {
		g.Pending, g.Reason = true, "nothing to verify yet: "+deployed.Reason
		return g
	}
	d := *deployed.deployment
	start := d.EndedAt
	if start.IsZero() {
		start = d.StartedAt
	}
	end := start.Add(v.Soak.Duration)
	if now := e.now(); now.Before(end) {
		g.Pending, g.Until = true, end
		g.Reason = fmt.Sprintf("soaking: %s deployed %s at %s (deployment %d); verification ends at %s (%s left)",
			env, shortID(d.Revision), start.UTC().Format(time.TimeOnly), d.ID, end.UTC().Format(time.TimeOnly), end.Sub(now).Round(time.Second))
		return g
	}
	client, err := prometheusClient(v)
	if err != nil {
		g.Reason = fmt.Sprintf("prometheus %s: %v", v.Prometheus, err)
		return g
	}
	prom := promv1.NewAPI(client)
	var held []string
	for _, q := range v.Queries {
		worst, err := checkQuery(ctx, prom, q, start, end)
		if err != nil {
			g.Reason = fmt.Sprintf("%s after deployment %d of %s: %v", q.Name, d.ID, env, err)
			return g
		}
		held = append(held, fmt.Sprintf("%s %s (worst %s)", q.Name, q.Threshold(), fmtValue(worst)))
		g.Evidence = append(g.Evidence, fmt.Sprintf("verify:%s=%s", q.Name, fmtValue(worst)))
	}
	g.Passed = true
	g.Reason = fmt.Sprintf("held for %s after deployment %d of %s: %s", v.Soak.Duration, d.ID, env, strings.Join(held, "; "))
	return g
}

// prometheusClient is a client of the gate's Prometheus, with its bearer
// token when it names one (read now, so a rotated secret is picked up).
func prometheusClient(v *platform.Verify) (api.Client, error) {
	cfg := api.Config{Address: v.Prometheus}
	if v.Token != nil {
		tok, err := v.Token.Resolve()
		if err != nil {
			return nil, fmt.Errorf("its token: %w", err)
		}
		cfg.RoundTripper = bearer{token: tok, next: api.DefaultRoundTripper}
	}
	return api.NewClient(cfg)
}

// bearer adds Authorization: Bearer to every request.
type bearer struct {
	token string
	next  http.RoundTripper
}

func (b bearer) RoundTrip(r *http.Request) (*http.Response, error) {
	r = r.Clone(r.Context())
	r.Header.Set("Authorization", "Bearer "+b.token)
	return b.next.RoundTrip(r)
}

// checkQuery evaluates q over [start, end] and returns its worst sample
// (highest for below, lowest for above), or why it does not hold.
func checkQuery(ctx context.Context, prom promv1.API, q platform.VerifyQuery, start, end time.Time) (float64, error) {
	step := max(end.Sub(start)/verifySteps, time.Second)
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	val, _, _, err := prom.QueryRange(ctx, q.Query, promv1.Range{Start: start, End: end, Step: step})
	if err != nil {
		return 0, fmt.Errorf("query failed: %w", err)
	}
	m, ok := val.(model.Matrix)
	if !ok || len(m) == 0 {
		return 0, fmt.Errorf("no data between %s and %s: check the query and that Prometheus scrapes the environment",
			start.UTC().Format(time.TimeOnly), end.UTC().Format(time.TimeOnly))
	}
	steps := int(end.Sub(start)/step) + 1
	var worst float64
	first := true
	for _, s := range m {
		if len(s.Values) < (steps+1)/2 {
			return 0, fmt.Errorf("%s has data at only %d of %d steps: a gap is not a pass", s.Metric, len(s.Values), steps)
		}
		for _, p := range s.Values {
			f := float64(p.Value)
			if !q.Holds(f) {
				return 0, fmt.Errorf("was %s at %s (needs %s)", fmtValue(f), p.Timestamp.Time().UTC().Format(time.TimeOnly), q.Threshold())
			}
			if first || (q.Below != nil && f > worst) || (q.Above != nil && f < worst) {
				worst, first = f, false
			}
		}
	}
	return worst, nil
}

func fmtValue(f float64) string { return model.SampleValue(f).String() }
