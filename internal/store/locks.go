package store

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"time"
)

// Locks are rows of the locks table. Every change is one statement that
// compares before it writes (expiry on acquire, token on renew and release),
// so two processes can never both hold a lock. Expiry is judged with the
// store's clock (Options.Now), the Go clock of the calling process.

// AcquireLock takes name for owner until now+ttl if it is free or expired.
// Otherwise it returns *LockedError, also when owner itself holds it.
func (s *sqlStore) AcquireLock(ctx context.Context, name, owner string, ttl time.Duration) (Lock, error) {
	if name == "" || owner == "" || ttl <= 0 {
		return Lock{}, fmt.Errorf("acquire lock %q: name, owner and a positive ttl are required: %w", name, ErrInvalid)
	}
	token, err := newToken()
	if err != nil {
		return Lock{}, fmt.Errorf("acquire lock %s: %w", name, err)
	}
	// A lock released between the failed upsert and the read of its holder
	// is free again: try again rather than report a holder that is gone.
	for range 3 {
		now := s.stamp(time.Time{})
		l := Lock{Name: name, Owner: owner, Token: token, ExpiresAt: normTime(now.Add(ttl))}
		res, err := s.db.ExecContext(ctx, s.d.q(`INSERT INTO locks (name, owner, token, expires_at, acquired_at)
			VALUES (?, ?, ?, ?, ?)
			ON CONFLICT (name) DO UPDATE
			SET owner = excluded.owner, token = excluded.token, expires_at = excluded.expires_at,
				acquired_at = excluded.acquired_at
			WHERE locks.expires_at <= ?`),
			name, owner, token, s.d.t(l.ExpiresAt), s.d.t(now), s.d.t(now))
		if err != nil {
			return Lock{}, fmt.Errorf("acquire lock %s: %w", name, err)
		}
		if n, err := res.RowsAffected(); err != nil {
			return Lock{}, fmt.Errorf("acquire lock %s: %w", name, err)
		} else if n == 1 {
			return l, nil
		}
		held := LockedError{Name: name}
		var until nullTime
		err = s.db.QueryRowContext(ctx, s.d.q(`SELECT owner, expires_at FROM locks WHERE name = ?`), name).
			Scan(&held.Owner, &until)
		if errors.Is(err, sql.ErrNoRows) {
			continue
		}
		if err != nil {
			return Lock{}, fmt.Errorf("acquire lock %s: %w", name, err)
		}
		held.ExpiresAt = until.Time
		return Lock{}, &held
	}
	return Lock{}, fmt.Errorf("acquire lock %s: %w", name, ErrLocked)
}

// RenewLock extends l to now+ttl if l still holds the lock: same token and
// not expired. Otherwise ErrLockLost.
func (s *sqlStore) RenewLock(ctx context.Context, l Lock, ttl time.Duration) (Lock, error) {
	if ttl <= 0 {
		return Lock{}, fmt.Errorf("renew lock %s: ttl must be positive: %w", l.Name, ErrInvalid)
	}
	now := s.stamp(time.Time{})
	until := normTime(now.Add(ttl))
	res, err := s.db.ExecContext(ctx, s.d.q(`UPDATE locks SET expires_at = ?
		WHERE name = ? AND token = ? AND expires_at > ?`),
		s.d.t(until), l.Name, l.Token, s.d.t(now))
	if err != nil {
		return Lock{}, fmt.Errorf("renew lock %s: %w", l.Name, err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return Lock{}, fmt.Errorf("renew lock %s: %w", l.Name, err)
	}
	if n != 1 {
		return Lock{}, fmt.Errorf("renew lock %s: %w", l.Name, ErrLockLost)
	}
	l.ExpiresAt = until
	return l, nil
}

// ReleaseLock deletes the lock if l still holds it (same token); a lock
// taken over by someone else is left alone and that is not an error.
func (s *sqlStore) ReleaseLock(ctx context.Context, l Lock) error {
	_, err := s.db.ExecContext(ctx, s.d.q(`DELETE FROM locks WHERE name = ? AND token = ?`), l.Name, l.Token)
	if err != nil {
		return fmt.Errorf("release lock %s: %w", l.Name, err)
	}
	return nil
}

func newToken() (string, error) {
	b := make([]byte, 16)
	if _, err := rand.Read(b); err != nil {
		return "", fmt.Errorf("new lock token: %w", err)
	}
	return hex.EncodeToString(b), nil
}
