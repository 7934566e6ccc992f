package store

import (
	"context"
	"database/sql"
	"fmt"
	"sort"
	"strings"
)

// The batched reads run several filters in one statement (a UNION ALL of
// one subquery per filter, each tagged with its index), so a page built
// from many small reads (the API's environments: each environment's newest
// deployments and events) costs one round trip to the database per kind
// of record instead of one per read.

// DeploymentsEach returns, for each filter, what Deployments returns for
// it, in one query.
func (s *sqlStore) DeploymentsEach(ctx context.Context, fs []DeploymentFilter) ([][]Deployment, error) {
	out := make([][]Deployment, len(fs))
	if len(fs) == 0 {
		return out, nil
	}
	var parts []string
	var args []any
	for i, f := range fs {
		w := deploymentWhere(f)
		parts = append(parts, fmt.Sprintf(`SELECT * FROM (SELECT %d AS q, %s FROM deployments%s ORDER BY started_at DESC, id DESC%s) q%d`,
			i, deploymentCols, w.String(), limit(f.Limit), i))
		args = append(args, w.args...)
	}
	rows, err := s.db.QueryContext(ctx, s.d.q(strings.Join(parts, " UNION ALL ")), args...)
	if err != nil {
		return nil, fmt.Errorf("list deployments: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var q int
		d, err := scanDeployment(tagged{rows, &q})
		if err != nil {
			return nil, fmt.Errorf("list deployments: %w", err)
		}
		out[q] = append(out[q], d)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("list deployments: %w", err)
	}
	for _, ds := range out { // a UNION ALL promises no order
		sort.SliceStable(ds, func(i, j int) bool {
			if !ds[i].StartedAt.Equal(ds[j].StartedAt) {
				return ds[i].StartedAt.After(ds[j].StartedAt)
			}
			return ds[i].ID > ds[j].ID
		})
	}
	return out, nil
}

// EventsEach returns, for each filter, what Events returns for it, in one
// query.
func (s *sqlStore) EventsEach(ctx context.Context, fs []EventFilter) ([][]Event, error) {
	out := make([][]Event, len(fs))
	if len(fs) == 0 {
		return out, nil
	}
	var parts []string
	var args []any
	for i, f := range fs {
		w, order := s.eventWhere(f)
		parts = append(parts, fmt.Sprintf(`SELECT * FROM (SELECT %d AS q, %s FROM events%s%s%s) q%d`,
			i, eventCols, w.String(), order, limit(f.Limit), i))
		args = append(args, w.args...)
	}
	rows, err := s.db.QueryContext(ctx, s.d.q(strings.Join(parts, " UNION ALL ")), args...)
	if err != nil {
		return nil, fmt.Errorf("list events: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var q int
		e, err := scanEvent(tagged{rows, &q})
		if err != nil {
			return nil, fmt.Errorf("list events: %w", err)
		}
		out[q] = append(out[q], e)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("list events: %w", err)
	}
	for i, es := range out {
		after := fs[i].After > 0
		sort.SliceStable(es, func(a, b int) bool {
			if after {
				return es[a].ID < es[b].ID
			}
			if !es[a].Time.Equal(es[b].Time) {
				return es[a].Time.After(es[b].Time)
			}
			return es[a].ID > es[b].ID
		})
	}
	return out, nil
}

// tagged scans a batched row: the filter's index, then the record.
type tagged struct {
	rows *sql.Rows
	q    *int
}

func (t tagged) Scan(dest ...any) error { return t.rows.Scan(append([]any{t.q}, dest...)...) }
