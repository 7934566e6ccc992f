package store

import (
	"context"
	"fmt"
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
