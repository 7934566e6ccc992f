package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
)

// StartDeployment records a running deployment and returns its ID. Status
// is always running; a zero StartedAt defaults to the store clock.
func (s *sqlStore) StartDeployment(ctx context.Context, d Deployment) (int64, error) {
	if d.Env == "" || d.Revision == "" {
		return 0, fmt.Errorf("start deployment: env and revision are required: %w", ErrInvalid)
	}
	targets, err := jsonArg(d.Targets, "[]")
	if err != nil {
		return 0, fmt.Errorf("start deployment: %w", err)
	}
	inventory, err := jsonArg(d.Inventory, "[]")
	if err != nil {
		return 0, fmt.Errorf("start deployment: %w", err)
	}
	kind, commits, first, err := s.changeArgs(d.Change)
	if err != nil {
		return 0, fmt.Errorf("start deployment: %w", err)
	}
	begin := s.d.t(s.stamp(d.StartedAt))
	var id int64
	err = s.inTx(ctx, func(tx *sql.Tx) error {
		id, err = insertID(ctx, tx, s.d.q(`INSERT INTO deployments
			(env, target, revision, version, status, healthy, verified, summary, targets, inventory, actor, started_at,
			 change_kind, change_commits, first_commit_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`),
			d.Env, d.Target, d.Revision, d.Version, string(StatusRunning), d.Healthy, d.Verified, d.Summary,
			targets, inventory, d.Actor, begin, kind, commits, first)
		if err != nil || d.Change == nil || d.Change.Kind == ChangeNormal {
			return err
		}
		return s.markRemediated(ctx, tx, d, id, begin)
	})
	if err != nil {
		return 0, fmt.Errorf("start deployment: %w", err)
	}
	return id, nil
}

// markRemediated marks the change deployment before id (by start time,
// then ID) of the same environment as remediated by d's kind.
func (s *sqlStore) markRemediated(ctx context.Context, tx *sql.Tx, d Deployment, id int64, begin any) error {
	_, err := tx.ExecContext(ctx, s.d.q(`UPDATE deployments SET remediated_by = ? WHERE id = (
		SELECT id FROM deployments
		WHERE env = ? AND target = ? AND id <> ? AND started_at <= ?
			AND status IN ('succeeded', 'failed') AND (change_commits IS NULL OR change_commits > 0)
		ORDER BY started_at DESC, id DESC LIMIT 1)`),
		string(d.Change.Kind), d.Env, d.Target, id, begin)
	if err != nil {
		return fmt.Errorf("mark remediated: %w", err)
	}
	return nil
}

// FinishDeployment writes a running deployment's result. The update only
// matches a running row, so of two racing finishers exactly one wins; the
// other gets ErrFinished. A zero EndedAt defaults to the store clock.
func (s *sqlStore) FinishDeployment(ctx context.Context, id int64, f DeploymentResult) error {
	switch f.Status {
	case StatusSucceeded, StatusFailed, StatusAborted:
	default:
		return fmt.Errorf("finish deployment %d: status %q is not final: %w", id, f.Status, ErrInvalid)
	}
	targets, err := jsonArg(f.Targets, "[]")
	if err != nil {
		return fmt.Errorf("finish deployment %d: %w", id, err)
	}
	inventory, err := jsonArg(f.Inventory, "[]")
	if err != nil {
		return fmt.Errorf("finish deployment %d: %w", id, err)
	}
	changes, err := jsonArg(f.Changes[:min(len(f.Changes), MaxChanges)], "[]")
	if err != nil {
		return fmt.Errorf("finish deployment %d: %w", id, err)
	}
	total := max(f.ChangesTotal, len(f.Changes))
	err = s.inTx(ctx, func(tx *sql.Tx) error {
		end := s.d.t(s.stamp(f.EndedAt))
		res, err := tx.ExecContext(ctx, s.d.q(`UPDATE deployments
			SET status = ?, healthy = ?, verified = ?, summary = ?, targets = ?, inventory = ?, ended_at = ?,
				lead_seconds = `+s.d.secs(s.d.param(), "first_commit_at")+`, changes = ?, changes_total = ?
			WHERE id = ? AND status = ?`),
			string(f.Status), f.Healthy, f.Verified, f.Summary, targets, inventory, end, end, changes, total,
			id, string(StatusRunning))
		if err != nil {
			return err
		}
		n, err := res.RowsAffected()
		if err != nil {
			return err
		}
		if n == 1 {
			return nil
		}
		var status string
		err = tx.QueryRowContext(ctx, s.d.q(`SELECT status FROM deployments WHERE id = ?`), id).Scan(&status)
		if err != nil {
			return notFound(err)
		}
		return fmt.Errorf("%w (status %s)", ErrFinished, status)
	})
	if err != nil {
		return fmt.Errorf("finish deployment %d: %w", id, err)
	}
	return nil
}

// deploymentCols are a listed deployment's columns; deploymentFull adds
// its object changes, which only Deployment returns.
const (
	deploymentCols = `id, env, target, revision, version, status, healthy, verified, summary,
	targets, inventory, actor, started_at, ended_at, change_kind, change_commits, first_commit_at, remediated_by, changes_total`
	deploymentFull = deploymentCols + `, changes`
)

func scanDeployment(row interface{ Scan(...any) error }) (Deployment, error) {
	return scanDeploymentCols(row, false)
}

func scanDeploymentCols(row interface{ Scan(...any) error }, full bool) (Deployment, error) {
	var d Deployment
	var status string
	var targets, inventory, changes jsonCol
	var start, end, first nullTime
	var kind, remediated sql.NullString
	var commits sql.NullInt64
	dest := []any{&d.ID, &d.Env, &d.Target, &d.Revision, &d.Version, &status, &d.Healthy, &d.Verified,
		&d.Summary, &targets, &inventory, &d.Actor, &start, &end, &kind, &commits, &first, &remediated, &d.ChangesTotal}
	if full {
		dest = append(dest, &changes)
	}
	if err := row.Scan(dest...); err != nil {
		return Deployment{}, err
	}
	if err := changes.decode(&d.Changes); err != nil {
		return Deployment{}, err
	}
	if len(d.Changes) == 0 {
		d.Changes = nil
	}
	d.RemediatedBy = ChangeKind(remediated.String)
	d.Status, d.StartedAt, d.EndedAt = Status(status), start.Time, end.Time
	if kind.Valid {
		d.Change = &Change{Kind: ChangeKind(kind.String), Commits: int(commits.Int64), FirstCommitAt: first.Time}
	}
	if err := errors.Join(targets.decode(&d.Targets), inventory.decode(&d.Inventory)); err != nil {
		return Deployment{}, err
	}
	if len(d.Targets) == 0 {
		d.Targets = nil
	}
	if len(d.Inventory) == 0 {
		d.Inventory = nil
	}
	return d, nil
}

// Deployment returns one deployment by ID.
func (s *sqlStore) Deployment(ctx context.Context, id int64) (Deployment, error) {
	row := s.db.QueryRowContext(ctx, s.d.q(`SELECT `+deploymentFull+` FROM deployments WHERE id = ?`), id)
	d, err := scanDeploymentCols(row, true)
	if err != nil {
		return Deployment{}, fmt.Errorf("get deployment %d: %w", id, notFound(err))
	}
	return d, nil
}

// deploymentWhere is the WHERE clause of a deployment filter.
func deploymentWhere(f DeploymentFilter) where {
	var w where
	for _, c := range []struct{ col, val string }{
		{"env", f.Env}, {"target", f.Target}, {"revision", f.Revision}, {"status", string(f.Status)},
	} {
		if c.val != "" {
			w.add(c.col+" = ?", c.val)
		}
	}
	if f.Before > 0 {
		w.add("id < ?", f.Before)
	}
	return w
}

// Deployments lists deployments newest first (by StartedAt, then ID).
func (s *sqlStore) Deployments(ctx context.Context, f DeploymentFilter) ([]Deployment, error) {
	w := deploymentWhere(f)
	query := `SELECT ` + deploymentCols + ` FROM deployments` + w.String() +
		` ORDER BY started_at DESC, id DESC` + limit(f.Limit)
	rows, err := s.db.QueryContext(ctx, s.d.q(query), w.args...)
	if err != nil {
		return nil, fmt.Errorf("list deployments: %w", err)
	}
	defer rows.Close()
	var out []Deployment
	for rows.Next() {
		d, err := scanDeployment(rows)
		if err != nil {
			return nil, fmt.Errorf("list deployments: %w", err)
		}
		out = append(out, d)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("list deployments: %w", err)
	}
	return out, nil
}

// changeArgs are the change columns of a deployment: all NULL without a
// change; first_commit_at NULL when no commit is new.
func (s *sqlStore) changeArgs(c *Change) (kind, commits, first any, err error) {
	if c == nil {
		return nil, nil, nil, nil
	}
	switch c.Kind {
	case ChangeNormal, ChangeRollback, ChangeHotfix:
	default:
		return nil, nil, nil, fmt.Errorf("change kind %q: %w", c.Kind, ErrInvalid)
	}
	if c.Commits < 0 {
		return nil, nil, nil, fmt.Errorf("negative change commits: %w", ErrInvalid)
	}
	if c.Commits > 0 && !c.FirstCommitAt.IsZero() {
		first = s.d.t(c.FirstCommitAt)
	}
	return string(c.Kind), c.Commits, first, nil
}
