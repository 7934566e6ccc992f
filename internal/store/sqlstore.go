package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"strings"
	"time"
)

// sqlStore implements Store on database/sql for both dialects.
type sqlStore struct {
	db  *sql.DB
	d   dialect
	now func() time.Time
}

var _ Store = (*sqlStore)(nil)

// Close closes the database.
func (s *sqlStore) Close() error { return s.db.Close() }

// inTx runs fn in a transaction (BEGIN IMMEDIATE on SQLite) and commits it
// when fn succeeds.
func (s *sqlStore) inTx(ctx context.Context, fn func(tx *sql.Tx) error) error {
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("begin: %w", err)
	}
	if err := fn(tx); err != nil {
		tx.Rollback()
		return err
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("commit: %w", err)
	}
	return nil
}

// stamp returns t, or the store clock's now when t is zero, normalised.
func (s *sqlStore) stamp(t time.Time) time.Time {
	if t.IsZero() {
		t = s.now()
	}
	return normTime(t)
}

// insertID runs an INSERT … RETURNING id.
func insertID(ctx context.Context, q queryRower, query string, args ...any) (int64, error) {
	var id int64
	if err := q.QueryRowContext(ctx, query, args...).Scan(&id); err != nil {
		return 0, err
	}
	return id, nil
}

// jsonArg marshals v for a JSON column; a nil slice or map becomes empty
// ("[]" or "{}") so reads need no NULL handling.
func jsonArg(v any, empty string) (string, error) {
	b, err := json.Marshal(v)
	if err != nil {
		return "", fmt.Errorf("encode json: %w", err)
	}
	if string(b) == "null" {
		return empty, nil
	}
	return string(b), nil
}

// jsonCol scans a JSON column (text, bytes or, for JSONB, bytes).
type jsonCol []byte

func (j *jsonCol) Scan(src any) error {
	switch v := src.(type) {
	case nil:
		*j = nil
	case string:
		*j = jsonCol(v)
	case []byte:
		*j = append(jsonCol(nil), v...)
	default:
		return fmt.Errorf("scan json: unsupported type %T", src)
	}
	return nil
}

// decode unmarshals the column into v; an empty column leaves v alone.
func (j jsonCol) decode(v any) error {
	if len(j) == 0 {
		return nil
	}
	if err := json.Unmarshal(j, v); err != nil {
		return fmt.Errorf("decode json: %w", err)
	}
	return nil
}

// where builds a WHERE clause from the non-empty conditions.
type where struct {
	conds []string
	args  []any
}

func (w *where) add(cond string, arg any) {
	w.conds = append(w.conds, cond)
	w.args = append(w.args, arg)
}

func (w *where) String() string {
	if len(w.conds) == 0 {
		return ""
	}
	return " WHERE " + strings.Join(w.conds, " AND ")
}

// limit renders a LIMIT clause; n <= 0 means no limit.
func limit(n int) string {
	if n <= 0 {
		return ""
	}
	return fmt.Sprintf(" LIMIT %d", n)
}
