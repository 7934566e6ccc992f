package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"time"
)

// AppendEvent adds an entry to the audit log. Data, when set, must be valid
// JSON; it is stored byte for byte. A zero Time defaults to the store clock.
func (s *sqlStore) AppendEvent(ctx context.Context, e Event) (int64, error) {
	id, err := appendEvent(ctx, s.db, s.d, s.stamp(e.Time), e)
	if err != nil {
		return 0, fmt.Errorf("append event: %w", err)
	}
	return id, nil
}

type queryRower interface {
	QueryRowContext(context.Context, string, ...any) *sql.Row
}

func appendEvent(ctx context.Context, q queryRower, d dialect, at time.Time, e Event) (int64, error) {
	if e.Kind == "" {
		return 0, fmt.Errorf("empty kind: %w", ErrInvalid)
	}
	if e.Data != "" && !json.Valid([]byte(e.Data)) {
		return 0, fmt.Errorf("data is not JSON: %w", ErrInvalid)
	}
	return insertID(ctx, q, d.q(`INSERT INTO events (at, kind, env, actor, message, data)
		VALUES (?, ?, ?, ?, ?, ?) RETURNING id`),
		d.t(at), e.Kind, e.Env, e.Actor, e.Message, e.Data)
}

const eventCols = `id, at, kind, env, actor, message, data`

// eventWhere is the WHERE clause and the order of an event filter.
func (s *sqlStore) eventWhere(f EventFilter) (where, string) {
	var w where
	if f.Kind != "" {
		w.add("kind = ?", f.Kind)
	}
	if f.Env != "" {
		w.add("env = ?", f.Env)
	}
	if !f.Since.IsZero() {
		w.add("at >= ?", s.d.t(f.Since))
	}
	if f.Before > 0 {
		w.add("id < ?", f.Before)
	}
	order := ` ORDER BY at DESC, id DESC`
	if f.After > 0 {
		w.add("id > ?", f.After)
		order = ` ORDER BY id`
	}
	return w, order
}

// Events lists events newest first (by Time, then ID), or with After
// oldest first by ID. Since keeps events at or after that instant.
func (s *sqlStore) Events(ctx context.Context, f EventFilter) ([]Event, error) {
	w, order := s.eventWhere(f)
	query := `SELECT ` + eventCols + ` FROM events` + w.String() + order + limit(f.Limit)
	rows, err := s.db.QueryContext(ctx, s.d.q(query), w.args...)
	if err != nil {
		return nil, fmt.Errorf("list events: %w", err)
	}
	defer rows.Close()
	var out []Event
	for rows.Next() {
		e, err := scanEvent(rows)
		if err != nil {
			return nil, fmt.Errorf("list events: %w", err)
		}
		out = append(out, e)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("list events: %w", err)
	}
	return out, nil
}

func scanEvent(row interface{ Scan(...any) error }) (Event, error) {
	var e Event
	var at nullTime
	if err := row.Scan(&e.ID, &at, &e.Kind, &e.Env, &e.Actor, &e.Message, &e.Data); err != nil {
		return Event{}, err
	}
	e.Time = at.Time
	return e, nil
}
