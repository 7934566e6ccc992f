package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
)

// RecordCheckRun stores a finished check run and returns its ID. Zero
// StartedAt/EndedAt default to the store clock.
func (s *sqlStore) RecordCheckRun(ctx context.Context, r CheckRun) (int64, error) {
	if r.Revision == "" {
		return 0, fmt.Errorf("record check run: empty revision: %w", ErrInvalid)
	}
	counts, err := jsonArg(r.Counts, "{}")
	if err != nil {
		return 0, fmt.Errorf("record check run: %w", err)
	}
	total := max(r.FindingsTotal, len(r.Findings))
	findings, err := jsonArg(r.Findings[:min(len(r.Findings), MaxFindings)], "[]")
	if err != nil {
		return 0, fmt.Errorf("record check run: %w", err)
	}
	id, err := insertID(ctx, s.db, s.d.q(`INSERT INTO check_runs
		(revision, env, passed, counts, summary, started_at, ended_at, findings, findings_total)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`),
		r.Revision, r.Env, r.Passed, counts, r.Summary,
		s.d.t(s.stamp(r.StartedAt)), s.d.t(s.stamp(r.EndedAt)), findings, total)
	if err != nil {
		return 0, fmt.Errorf("record check run: %w", err)
	}
	return id, nil
}

// checkRunCols are the columns of a listed check run; checkRunFull adds
// its findings, which only reads of one run return.
const (
	checkRunCols = `id, revision, env, passed, counts, summary, started_at, ended_at, findings_total`
	checkRunFull = checkRunCols + `, findings`
)

func scanCheckRun(row interface{ Scan(...any) error }, full bool) (CheckRun, error) {
	var r CheckRun
	var counts, findings jsonCol
	var start, end nullTime
	dest := []any{&r.ID, &r.Revision, &r.Env, &r.Passed, &counts, &r.Summary, &start, &end, &r.FindingsTotal}
	if full {
		dest = append(dest, &findings)
	}
	if err := row.Scan(dest...); err != nil {
		return CheckRun{}, err
	}
	r.StartedAt, r.EndedAt = start.Time, end.Time
	if err := counts.decode(&r.Counts); err != nil {
		return CheckRun{}, err
	}
	if err := findings.decode(&r.Findings); err != nil {
		return CheckRun{}, err
	}
	if len(r.Findings) == 0 {
		r.Findings = nil
	}
	return r, nil
}

// CheckRun returns one check run by ID.
func (s *sqlStore) CheckRun(ctx context.Context, id int64) (CheckRun, error) {
	row := s.db.QueryRowContext(ctx, s.d.q(`SELECT `+checkRunFull+` FROM check_runs WHERE id = ?`), id)
	r, err := scanCheckRun(row, true)
	if err != nil {
		return CheckRun{}, fmt.Errorf("get check run %d: %w", id, notFound(err))
	}
	return r, nil
}

// LatestCheckRun returns the check run of revision that started last (the
// highest ID among equal start times).
func (s *sqlStore) LatestCheckRun(ctx context.Context, revision string) (CheckRun, error) {
	row := s.db.QueryRowContext(ctx, s.d.q(`SELECT `+checkRunFull+` FROM check_runs
		WHERE revision = ? ORDER BY started_at DESC, id DESC LIMIT 1`), revision)
	r, err := scanCheckRun(row, true)
	if err != nil {
		return CheckRun{}, fmt.Errorf("get latest check run of %s: %w", revision, notFound(err))
	}
	return r, nil
}

// CheckRuns lists check runs newest first (by StartedAt, then ID).
func (s *sqlStore) CheckRuns(ctx context.Context, f CheckRunFilter) ([]CheckRun, error) {
	var w where
	if f.Revision != "" {
		w.add("revision = ?", f.Revision)
	}
	if f.Before > 0 {
		w.add("id < ?", f.Before)
	}
	rows, err := s.db.QueryContext(ctx, s.d.q(`SELECT `+checkRunCols+` FROM check_runs`+w.String()+
		` ORDER BY started_at DESC, id DESC`+limit(f.Limit)), w.args...)
	if err != nil {
		return nil, fmt.Errorf("list check runs: %w", err)
	}
	defer rows.Close()
	var out []CheckRun
	for rows.Next() {
		r, err := scanCheckRun(rows, false)
		if err != nil {
			return nil, fmt.Errorf("list check runs: %w", err)
		}
		out = append(out, r)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("list check runs: %w", err)
	}
	return out, nil
}

// notFound maps sql.ErrNoRows to ErrNotFound.
func notFound(err error) error {
	if errors.Is(err, sql.ErrNoRows) {
		return ErrNotFound
	}
	return err
}

// RecordPromotion stores a promotion and returns its ID. A zero CreatedAt
// defaults to the store clock.
func (s *sqlStore) RecordPromotion(ctx context.Context, p Promotion) (int64, error) {
	if p.Kind == "" || p.To == "" {
		return 0, fmt.Errorf("record promotion: kind and to are required: %w", ErrInvalid)
	}
	evidence, err := jsonArg(p.Evidence, "[]")
	if err != nil {
		return 0, fmt.Errorf("record promotion: %w", err)
	}
	gates, err := jsonArg(p.Gates, "[]")
	if err != nil {
		return 0, fmt.Errorf("record promotion: %w", err)
	}
	id, err := insertID(ctx, s.db, s.d.q(`INSERT INTO promotions
		(kind, from_lane, to_lane, revision, commit_sha, version, evidence, override, actor, created_at, gates, changelog)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`),
		p.Kind, p.From, p.To, p.Revision, p.Commit, p.Version, evidence, p.Override, p.Actor,
		s.d.t(s.stamp(p.CreatedAt)), gates, p.Changelog)
	if err != nil {
		return 0, fmt.Errorf("record promotion: %w", err)
	}
	return id, nil
}

// Promotions lists promotions newest first (by CreatedAt, then ID).
func (s *sqlStore) Promotions(ctx context.Context, f PromotionFilter) ([]Promotion, error) {
	var w where
	if f.Kind != "" {
		w.add("kind = ?", f.Kind)
	}
	if f.To != "" {
		w.add("to_lane = ?", f.To)
	}
	if f.Before > 0 {
		w.add("id < ?", f.Before)
	}
	query := `SELECT ` + promotionCols + ` FROM promotions` + w.String() + ` ORDER BY created_at DESC, id DESC` + limit(f.Limit)
	rows, err := s.db.QueryContext(ctx, s.d.q(query), w.args...)
	if err != nil {
		return nil, fmt.Errorf("list promotions: %w", err)
	}
	defer rows.Close()
	var out []Promotion
	for rows.Next() {
		p, err := scanPromotion(rows)
		if err != nil {
			return nil, fmt.Errorf("list promotions: %w", err)
		}
		out = append(out, p)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("list promotions: %w", err)
	}
	return out, nil
}

const promotionCols = `id, kind, from_lane, to_lane, revision, commit_sha, version, evidence, override, actor, created_at, gates, changelog`

func scanPromotion(row interface{ Scan(...any) error }) (Promotion, error) {
	var p Promotion
	var evidence, gates jsonCol
	var at nullTime
	if err := row.Scan(&p.ID, &p.Kind, &p.From, &p.To, &p.Revision, &p.Commit, &p.Version,
		&evidence, &p.Override, &p.Actor, &at, &gates, &p.Changelog); err != nil {
		return Promotion{}, err
	}
	p.CreatedAt = at.Time
	if err := evidence.decode(&p.Evidence); err != nil {
		return Promotion{}, err
	}
	if err := gates.decode(&p.Gates); err != nil {
		return Promotion{}, err
	}
	if len(p.Evidence) == 0 {
		p.Evidence = nil
	}
	if len(p.Gates) == 0 {
		p.Gates = nil
	}
	return p, nil
}

// Promotion returns one promotion by ID.
func (s *sqlStore) Promotion(ctx context.Context, id int64) (Promotion, error) {
	row := s.db.QueryRowContext(ctx, s.d.q(`SELECT `+promotionCols+` FROM promotions WHERE id = ?`), id)
	p, err := scanPromotion(row)
	if err != nil {
		return Promotion{}, fmt.Errorf("get promotion %d: %w", id, notFound(err))
	}
	return p, nil
}
