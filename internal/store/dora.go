package store

import (
	"context"
	"database/sql"
	"fmt"
	"time"
)

// DORAQuery selects the deployments the DORA aggregates cover: the
// whole-environment deployments of Env that started in [From, To].
type DORAQuery struct {
	Env  string
	From time.Time
	To   time.Time
}

// DORAStats are the DORA aggregates of one environment over a window, as
// the store computes them in SQL. Only change deployments count: finished
// (succeeded or failed) deployments that brought at least one commit, or
// whose change is unknown. Their order is StartedAt, then ID; a deployment's
// "next" is the next change deployment in the window.
type DORAStats struct {
	Deployments int // change deployments
	Succeeded   int
	Failed      int // status failed
	// RolledBack and Hotfixed: deployments whose next deployment was a
	// rollback or a hotfix (whatever their own status).
	RolledBack int
	Hotfixed   int
	// ChangeFailures: deployments that failed, were rolled back or needed
	// a hotfix, each counted once.
	ChangeFailures int
	Rollbacks      int // deployments of a rollback commit
	Hotfixes       int // deployments that brought a hotfix (rework)
	// Redeploys: finished deployments that brought no new commit (drift
	// heals, re-syncs); no metric counts them.
	Redeploys int
	// Unfinished: deployments still running or aborted (their process
	// died); no metric counts them.
	Unfinished int
	// NoChangeData: change deployments recorded without change data
	// (before migration 0003): no lead time, never a rollback or hotfix.
	NoChangeData int
	LeadTime     LeadTimeStats
	Recovery     RecoveryStats
}

// LeadTimeStats: for each succeeded change deployment with change data,
// its EndedAt minus its change's FirstCommitAt.
type LeadTimeStats struct {
	Count       int
	Median, P90 time.Duration // nearest-rank percentiles
	// Skewed samples had a first commit after the deployment ended (the
	// committer's clock ahead of ferry's); they count as 0, never negative.
	Skewed int
}

// RecoveryStats: for each failure episode (a change failure whose previous
// deployment was not one), from its EndedAt to the earliest EndedAt of a
// later deployment that succeeded and is not itself a change failure.
type RecoveryStats struct {
	Count       int // recovered episodes
	Median, P90 time.Duration
	Open        int // episodes not recovered by To
}

// DORA computes the aggregates of q in one SQL statement (window
// functions, no per-row Go), on either dialect.
func (s *sqlStore) DORA(ctx context.Context, q DORAQuery) (DORAStats, error) {
	if q.Env == "" || q.To.Before(q.From) {
		return DORAStats{}, fmt.Errorf("dora: env and a window with from <= to are required: %w", ErrInvalid)
	}
	w := []any{q.Env, s.d.t(q.From), s.d.t(q.To)}
	args := append(append([]any{}, w...), w...) // the changes, then the raw window
	var st DORAStats
	var leadMed, leadP90, recMed, recP90 sql.NullFloat64
	err := s.db.QueryRowContext(ctx, s.d.q(s.doraSQL()), args...).Scan(
		&st.Deployments, &st.Succeeded, &st.Failed, &st.RolledBack, &st.Hotfixed, &st.ChangeFailures,
		&st.Rollbacks, &st.Hotfixes, &st.NoChangeData, &st.Redeploys, &st.Unfinished,
		&st.LeadTime.Count, &st.LeadTime.Skewed, &leadMed, &leadP90,
		&st.Recovery.Count, &st.Recovery.Open, &recMed, &recP90)
	if err != nil {
		return DORAStats{}, fmt.Errorf("dora of %s: %w", q.Env, err)
	}
	st.LeadTime.Median, st.LeadTime.P90 = seconds(leadMed), seconds(leadP90)
	st.Recovery.Median, st.Recovery.P90 = seconds(recMed), seconds(recP90)
	return st, nil
}

// seconds turns an SQL float of seconds into a duration, to the
// millisecond (SQLite's julianday precision).
func seconds(f sql.NullFloat64) time.Duration {
	if !f.Valid {
		return 0
	}
	return time.Duration(f.Float64*1000+0.5) * time.Millisecond
}
