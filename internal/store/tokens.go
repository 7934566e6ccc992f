package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"
)

// Token is an API token's record. The token itself is never stored: Hash
// is its SHA-256 (hex), computed by package auth.
type Token struct {
	ID   int64  `json:"id"`
	Name string `json:"name"`
	// Hash never leaves the store's callers: it is not part of any JSON.
	Hash       string    `json:"-"`
	Role       string    `json:"role"`           // viewer, deployer, admin
	Envs       []string  `json:"envs,omitempty"` // empty: every environment
	CreatedAt  time.Time `json:"createdAt"`
	LastUsedAt time.Time `json:"lastUsedAt,omitzero"`
	RevokedAt  time.Time `json:"revokedAt,omitzero"`
}

// Token roles, least to most privileged.
const (
	RoleViewer   = "viewer"
	RoleDeployer = "deployer"
	RoleAdmin    = "admin"
)

// ErrExists: a token of that name is active already.
var ErrExists = errors.New("already exists")

// CreateToken stores a new token (Name, Hash, Role, Envs; a zero CreatedAt
// defaults to the store clock) and returns it with its ID. ErrExists when
// an unrevoked token has the name.
func (s *sqlStore) CreateToken(ctx context.Context, t Token) (Token, error) {
	switch {
	case strings.TrimSpace(t.Name) == "" || t.Hash == "":
		return Token{}, fmt.Errorf("create token: name and hash are required: %w", ErrInvalid)
	case t.Role != RoleViewer && t.Role != RoleDeployer && t.Role != RoleAdmin:
		return Token{}, fmt.Errorf("create token %s: role %q: %w", t.Name, t.Role, ErrInvalid)
	}
	envs, err := jsonArg(t.Envs, "[]")
	if err != nil {
		return Token{}, fmt.Errorf("create token %s: %w", t.Name, err)
	}
	t.CreatedAt = s.stamp(t.CreatedAt)
	t.LastUsedAt, t.RevokedAt = time.Time{}, time.Time{}
	err = s.inTx(ctx, func(tx *sql.Tx) error {
		var n int
		if err := tx.QueryRowContext(ctx, s.d.q(`SELECT count(*) FROM tokens WHERE name = ? AND revoked_at IS NULL`),
			t.Name).Scan(&n); err != nil {
			return err
		}
		if n > 0 {
			return ErrExists
		}
		t.ID, err = insertID(ctx, tx, s.d.q(`INSERT INTO tokens (name, hash, role, envs, created_at)
			VALUES (?, ?, ?, ?, ?) RETURNING id`), t.Name, t.Hash, t.Role, envs, s.d.t(t.CreatedAt))
		return err
	})
	if err != nil {
		return Token{}, fmt.Errorf("create token %s: %w", t.Name, err)
	}
	return t, nil
}

const tokenCols = `id, name, hash, role, envs, created_at, last_used_at, revoked_at`

func scanToken(row interface{ Scan(...any) error }) (Token, error) {
	var t Token
	var envs jsonCol
	var created, used, revoked nullTime
	if err := row.Scan(&t.ID, &t.Name, &t.Hash, &t.Role, &envs, &created, &used, &revoked); err != nil {
		return Token{}, err
	}
	t.CreatedAt, t.LastUsedAt, t.RevokedAt = created.Time, used.Time, revoked.Time
	if err := envs.decode(&t.Envs); err != nil {
		return Token{}, err
	}
	if len(t.Envs) == 0 {
		t.Envs = nil
	}
	return t, nil
}

// TokenByHash returns the unrevoked token whose hash is hash (ErrNotFound).
func (s *sqlStore) TokenByHash(ctx context.Context, hash string) (Token, error) {
	row := s.db.QueryRowContext(ctx, s.d.q(`SELECT `+tokenCols+` FROM tokens WHERE hash = ? AND revoked_at IS NULL`), hash)
	t, err := scanToken(row)
	if err != nil {
		return Token{}, fmt.Errorf("get token: %w", notFound(err))
	}
	return t, nil
}

// Tokens lists every token, revoked ones too, by name then creation.
func (s *sqlStore) Tokens(ctx context.Context) ([]Token, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT `+tokenCols+` FROM tokens ORDER BY name, created_at, id`)
	if err != nil {
		return nil, fmt.Errorf("list tokens: %w", err)
	}
	defer rows.Close()
	var out []Token
	for rows.Next() {
		t, err := scanToken(rows)
		if err != nil {
			return nil, fmt.Errorf("list tokens: %w", err)
		}
		out = append(out, t)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("list tokens: %w", err)
	}
	return out, nil
}

// RevokeToken revokes the unrevoked token named name (ErrNotFound).
func (s *sqlStore) RevokeToken(ctx context.Context, name string) error {
	res, err := s.db.ExecContext(ctx, s.d.q(`UPDATE tokens SET revoked_at = ? WHERE name = ? AND revoked_at IS NULL`),
		s.d.t(s.stamp(time.Time{})), name)
	if err == nil {
		var n int64
		if n, err = res.RowsAffected(); err == nil && n == 0 {
			err = ErrNotFound
		}
	}
	if err != nil {
		return fmt.Errorf("revoke token %s: %w", name, err)
	}
	return nil
}

// TouchToken records that token id was used at at (zero: the store clock).
func (s *sqlStore) TouchToken(ctx context.Context, id int64, at time.Time) error {
	if _, err := s.db.ExecContext(ctx, s.d.q(`UPDATE tokens SET last_used_at = ? WHERE id = ?`),
		s.d.t(s.stamp(at)), id); err != nil {
		return fmt.Errorf("touch token %d: %w", id, err)
	}
	return nil
}

// Locks lists the locks held now (unexpired by the store clock), by name.
// Token is left empty: a listing never hands out what releases a lock.
func (s *sqlStore) Locks(ctx context.Context) ([]Lock, error) {
	rows, err := s.db.QueryContext(ctx, s.d.q(`SELECT name, owner, expires_at FROM locks WHERE expires_at > ? ORDER BY name`),
		s.d.t(s.stamp(time.Time{})))
	if err != nil {
		return nil, fmt.Errorf("list locks: %w", err)
	}
	defer rows.Close()
	var out []Lock
	for rows.Next() {
		var l Lock
		var until nullTime
		if err := rows.Scan(&l.Name, &l.Owner, &until); err != nil {
			return nil, fmt.Errorf("list locks: %w", err)
		}
		l.ExpiresAt = until.Time
		out = append(out, l)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("list locks: %w", err)
	}
	return out, nil
}
