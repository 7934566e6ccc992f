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

// takeoverSkew is how much earlier than its lock's acquisition a deployment
// may say it started and still count as the holder's: StartedAt comes from
// the caller's clock, which may step back a little.
const takeoverSkew = time.Second

// orphans lists running deployments whose process no longer holds their
// environment lock: the lock is free or expired, or was taken after the
// deployment started (so by someone else, or by a later run).
func (s *sqlStore) orphans(ctx context.Context, tx *sql.Tx, env string, now time.Time) ([]orphan, error) {
	query := `SELECT d.id, d.env, d.started_at, l.expires_at, l.acquired_at
		FROM deployments d LEFT JOIN locks l ON l.name = ? || d.env
		WHERE d.status = ?`
	args := []any{EnvLockName(""), string(StatusRunning)}
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
		var started, expires, acquired nullTime
		if err := rows.Scan(&o.id, &o.env, &started, &expires, &acquired); err != nil {
			return nil, err
		}
		held := expires.Valid && expires.Time.After(now)
		takenLater := acquired.Valid && acquired.Time.After(started.Time.Add(takeoverSkew))
		if !held || takenLater {
			out = append(out, o)
		}
	}
	return out, rows.Err()
}
