package store

import (
	"context"
	"fmt"
	"strconv"
)

// Tallies are the counts of the records, for ferry serve's counters: they
// include what every actor did (the command line and the agent), and only
// grow, since finished records never change.
type Tallies struct {
	// Deployments counts finished deployments per target and status; a
	// deployment that ended before it reached a target counts with Target "".
	Deployments []DeploymentTally
	// Promotions counts the lane moves ferry made.
	Promotions []PromotionTally
}

// DeploymentTally is one (environment, target, status) count.
type DeploymentTally struct {
	Env, Target string
	Status      Status
	Count       int64
}

// PromotionTally is one (kind, from, to, overridden) count.
type PromotionTally struct {
	Kind, From, To string
	Override       bool
	Count          int64
}

// tallyTargets expands each deployment into its targets (JSON array
// elements), keeping deployments with none.
var tallyTargets = map[string]string{
	"sqlite": `SELECT d.env, COALESCE(json_extract(t.value, '$.target'), ''),
			COALESCE(json_extract(t.value, '$.status'), d.status), COUNT(*)
		FROM deployments d LEFT JOIN json_each(d.targets) t
		WHERE d.status <> 'running'
		GROUP BY 1, 2, 3 ORDER BY 1, 2, 3`,
	"postgres": `SELECT d.env, COALESCE(t.value->>'target', ''), COALESCE(t.value->>'status', d.status), COUNT(*)
		FROM deployments d LEFT JOIN LATERAL jsonb_array_elements(
			CASE WHEN jsonb_typeof(d.targets) = 'array' THEN d.targets ELSE '[]'::jsonb END) t ON TRUE
		WHERE d.status <> 'running'
		GROUP BY 1, 2, 3 ORDER BY 1, 2, 3`,
}

// Tallies counts the records in two aggregate queries.
func (s *sqlStore) Tallies(ctx context.Context) (Tallies, error) {
	var out Tallies
	rows, err := s.db.QueryContext(ctx, tallyTargets[s.d.name])
	if err != nil {
		return Tallies{}, fmt.Errorf("tally deployments: %w", err)
	}
	for rows.Next() {
		var d DeploymentTally
		if err := rows.Scan(&d.Env, &d.Target, &d.Status, &d.Count); err != nil {
			rows.Close()
			return Tallies{}, fmt.Errorf("tally deployments: %w", err)
		}
		out.Deployments = append(out.Deployments, d)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return Tallies{}, fmt.Errorf("tally deployments: %w", err)
	}
	rows, err = s.db.QueryContext(ctx, `SELECT kind, from_lane, to_lane, override <> '', COUNT(*)
		FROM promotions GROUP BY 1, 2, 3, 4 ORDER BY 1, 2, 3, 4`)
	if err != nil {
		return Tallies{}, fmt.Errorf("tally promotions: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var p PromotionTally
		if err := rows.Scan(&p.Kind, &p.From, &p.To, &p.Override, &p.Count); err != nil {
			return Tallies{}, fmt.Errorf("tally promotions: %w", err)
		}
		out.Promotions = append(out.Promotions, p)
	}
	if err := rows.Err(); err != nil {
		return Tallies{}, fmt.Errorf("tally promotions: %w", err)
	}
	return out, nil
}

// LeadTimeHistogram is the lead times of one environment's succeeded
// change deployments (first commit of the change → the deployment's end):
// Buckets[i] counts those at most Bounds[i] seconds (cumulative).
type LeadTimeHistogram struct {
	Env     string
	Count   uint64
	Sum     float64 // seconds
	Buckets []uint64
}

// LeadTimes returns one histogram per environment over bounds (seconds,
// ascending), in one aggregate query. Clock skew (a first commit after the
// deployment's end) counts as 0.
func (s *sqlStore) LeadTimes(ctx context.Context, bounds []float64) ([]LeadTimeHistogram, error) {
	lead := "CASE WHEN lead_seconds < 0 THEN 0 ELSE lead_seconds END"
	cols := "env, COUNT(*), COALESCE(SUM(" + lead + "), 0)"
	for _, b := range bounds {
		cols += fmt.Sprintf(", SUM(CASE WHEN %s <= %s THEN 1 ELSE 0 END)", lead, strconv.FormatFloat(b, 'g', -1, 64))
	}
	rows, err := s.db.QueryContext(ctx, `SELECT `+cols+` FROM deployments
		WHERE target = '' AND status = 'succeeded' AND lead_seconds IS NOT NULL AND change_commits > 0
		GROUP BY env ORDER BY env`)
	if err != nil {
		return nil, fmt.Errorf("lead times: %w", err)
	}
	defer rows.Close()
	var out []LeadTimeHistogram
	for rows.Next() {
		h := LeadTimeHistogram{Buckets: make([]uint64, len(bounds))}
		dest := []any{&h.Env, &h.Count, &h.Sum}
		for i := range h.Buckets {
			dest = append(dest, &h.Buckets[i])
		}
		if err := rows.Scan(dest...); err != nil {
			return nil, fmt.Errorf("lead times: %w", err)
		}
		out = append(out, h)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("lead times: %w", err)
	}
	return out, nil
}
