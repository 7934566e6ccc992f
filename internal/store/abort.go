package store

import (
	"context"
	"database/sql"
	"fmt"
	"time"
)

// abortedSummary is the summary of a deployment MarkAborted ends.
const abortedSummary = "aborted: the deploying process stopped holding the environment lock"

// MarkAborted ends, as aborted, the running deployments of env ("" for all)
// whose environment lock is free or expired by the store clock.
func (s *sqlStore) MarkAborted(ctx context.Context, env string) ([]int64, error) {
	var marked []int64
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		now := s.stamp(time.Time{})
		orphans, err := s.orphans(ctx, tx, env, now)
		if err != nil {
			return err
		}
		marked = marked[:0]
		for _, o := range orphans {
			res, err := tx.ExecContext(ctx, s.d.q(`UPDATE deployments SET status = ?, summary = ?, ended_at = ?
				WHERE id = ? AND status = ?`),
				string(StatusAborted), abortedSummary, s.d.t(now), o.id, string(StatusRunning))
			if err != nil {
				return err
			}
			n, err := res.RowsAffected()
			if err != nil {
				return err
			}
			if n != 1 {
				continue // finished meanwhile: not ours to abort
			}
			_, err = appendEvent(ctx, tx, s.d, now, Event{
				Kind:    "deployment.aborted",
				Env:     o.env,
				Actor:   "ferry",
				Message: fmt.Sprintf("deployment %d of %s marked aborted: environment lock free or expired", o.id, o.env),
				Data:    fmt.Sprintf(`{"deployment":%d}`, o.id),
			})
			if err != nil {
				return err
			}
			marked = append(marked, o.id)
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("mark aborted deployments: %w", err)
	}
	return marked, nil
}

type orphan struct {
	id  int64
	env string
}

// orphans lists running deployments whose environment lock is not held.
func (s *sqlStore) orphans(ctx context.Context, tx *sql.Tx, env string, now time.Time) ([]orphan, error) {
	query := `SELECT d.id, d.env FROM deployments d
		WHERE d.status = ? AND NOT EXISTS (
			SELECT 1 FROM locks l WHERE l.name = ? || d.env AND l.expires_at > ?)`
	args := []any{string(StatusRunning), EnvLockName(""), s.d.t(now)}
	if env != "" {
		query += ` AND d.env = ?`
		args = append(args, env)
	}
	rows, err := tx.QueryContext(ctx, s.d.q(query+` ORDER BY d.id`), args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []orphan
	for rows.Next() {
		var o orphan
		if err := rows.Scan(&o.id, &o.env); err != nil {
			return nil, err
		}
		out = append(out, o)
	}
	return out, rows.Err()
}
