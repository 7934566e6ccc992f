package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/jackc/pgx/v5/pgconn"
	_ "github.com/jackc/pgx/v5/stdlib" // registers the "pgx" database/sql driver
	"modernc.org/sqlite"               // registers the "sqlite" database/sql driver
	sqlite3 "modernc.org/sqlite/lib"
)

// Options tune a store. The zero value is ready to use.
type Options struct {
	// Now is the clock for default timestamps and for lock expiry. The store
	// uses the Go clock of the calling process, never the database's, so
	// processes sharing a PostgreSQL server need synchronised clocks (NTP).
	// Tests inject a fake clock to expire locks without sleeping.
	Now func() time.Time
	// BusyTimeout is how long a SQLite writer waits for another writer
	// (default 10s). Ignored by PostgreSQL.
	BusyTimeout time.Duration
}

func (o Options) withDefaults() Options {
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.BusyTimeout <= 0 {
		o.BusyTimeout = 10 * time.Second
	}
	return o
}

// Drivers accepted by Open.
const (
	DriverSQLite   = "sqlite"
	DriverPostgres = "postgres"
)

// Open opens the store of driver "sqlite" (dsnOrPath is a file path) or
// "postgres" (dsnOrPath is a libpq URL or key=value DSN) and migrates it.
func Open(ctx context.Context, driver, dsnOrPath string, opts ...Options) (Store, error) {
	switch driver {
	case DriverSQLite, "sqlite3":
		return OpenSQLite(ctx, dsnOrPath, opts...)
	case DriverPostgres, "postgresql", "pgx":
		return OpenPostgres(ctx, dsnOrPath, opts...)
	}
	return nil, fmt.Errorf("open store: unknown driver %q (use sqlite or postgres): %w", driver, ErrInvalid)
}

func oneOptions(opts []Options) Options {
	var o Options
	if len(opts) > 0 {
		o = opts[0]
	}
	return o.withDefaults()
}

// OpenSQLite opens (creating it and its parent directory if needed) the
// SQLite database at path, in WAL mode with a busy timeout and foreign keys,
// and migrates it. Write transactions start with BEGIN IMMEDIATE, so several
// ferry processes can share one file: writers queue instead of failing.
func OpenSQLite(ctx context.Context, path string, opts ...Options) (Store, error) {
	o := oneOptions(opts)
	if path == "" {
		return nil, fmt.Errorf("open sqlite: empty path: %w", ErrInvalid)
	}
	abs, err := filepath.Abs(path)
	if err != nil {
		return nil, fmt.Errorf("open sqlite %s: %w", path, err)
	}
	if err := os.MkdirAll(filepath.Dir(abs), 0o755); err != nil {
		return nil, fmt.Errorf("open sqlite %s: %w", path, err)
	}
	q := url.Values{}
	q.Set("_busy_timeout", fmt.Sprint(o.BusyTimeout.Milliseconds()))
	q.Set("_journal_mode", "WAL")
	q.Set("_foreign_keys", "1")
	q.Set("_synchronous", "NORMAL")
	q.Set("_txlock", "immediate")
	// Sorts and temporary b-trees (the DORA aggregates) in memory, with a
	// 32 MiB page cache per connection rather than the 2 MiB default.
	q.Add("_pragma", "temp_store(memory)")
	q.Add("_pragma", "cache_size(-32768)")
	dsn := "file:" + (&url.URL{Path: abs}).EscapedPath() + "?" + q.Encode()
	db, err := sql.Open("sqlite", dsn)
	if err != nil {
		return nil, fmt.Errorf("open sqlite %s: %w", path, err)
	}
	s := &sqlStore{db: db, d: sqliteDialect, now: o.Now}
	if err := s.initSQLite(ctx, o.BusyTimeout); err != nil {
		db.Close()
		return nil, fmt.Errorf("open sqlite %s: %w", path, err)
	}
	return s, nil
}

// initSQLite is init, retried while the file is busy. Processes that open
// a brand-new file at once race to switch it to WAL, and SQLite answers
// SQLITE_BUSY to the losers without calling the busy handler (a lock
// upgrade it cannot wait for): the busy timeout alone does not cover it.
func (s *sqlStore) initSQLite(ctx context.Context, patience time.Duration) error {
	deadline := time.Now().Add(patience)
	for wait := 5 * time.Millisecond; ; wait = min(2*wait, 200*time.Millisecond) {
		err := s.init(ctx)
		if err == nil || !sqliteBusy(err) || time.Now().After(deadline) {
			return err
		}
		select {
		case <-ctx.Done():
			return err
		case <-time.After(wait):
		}
	}
}

// sqliteBusy reports whether err is SQLite's SQLITE_BUSY (any extended code).
func sqliteBusy(err error) bool {
	var se *sqlite.Error
	return errors.As(err, &se) && se.Code()&0xff == sqlite3.SQLITE_BUSY
}

// OpenPostgres connects to PostgreSQL (pgx) and migrates the database.
// Errors name the server with the password redacted, never the DSN itself.
func OpenPostgres(ctx context.Context, dsn string, opts ...Options) (Store, error) {
	o := oneOptions(opts)
	where := RedactDSN(dsn)
	secret := dsnPassword(dsn)
	db, err := sql.Open("pgx", dsn)
	if err != nil {
		return nil, fmt.Errorf("open postgres %s: %w", where, redactErr(err, secret))
	}
	// database/sql keeps 2 idle connections by default: under concurrent
	// readers (the API) every other query would open a new PostgreSQL
	// connection (a backend process, authentication). Keep a bounded pool
	// warm instead; bounded so several ferry processes stay well under
	// the server's max_connections.
	db.SetMaxOpenConns(16)
	db.SetMaxIdleConns(16)
	db.SetConnMaxIdleTime(5 * time.Minute)
	s := &sqlStore{db: db, d: postgresDialect, now: o.Now}
	if err := s.init(ctx); err != nil {
		db.Close()
		return nil, fmt.Errorf("open postgres %s: %w", where, redactErr(err, secret))
	}
	return s, nil
}

// dsnPassword returns the password a DSN carries, "" if none or unparsable.
func dsnPassword(dsn string) string {
	cfg, err := pgconn.ParseConfig(dsn)
	if err != nil || cfg == nil {
		return ""
	}
	return cfg.Password
}

// redactedError hides a secret in the message of an error it wraps, keeping
// errors.Is/As working on the chain.
type redactedError struct {
	err    error
	secret string
}

func (e *redactedError) Error() string {
	return strings.ReplaceAll(e.err.Error(), e.secret, "xxxxx")
}
func (e *redactedError) Unwrap() error { return e.err }

func redactErr(err error, secret string) error {
	if err == nil || secret == "" {
		return err
	}
	return &redactedError{err: err, secret: secret}
}

// init checks the connection and migrates.
func (s *sqlStore) init(ctx context.Context) error {
	if err := s.db.PingContext(ctx); err != nil {
		return fmt.Errorf("connect: %w", err)
	}
	if err := migrate(ctx, s.db, s.d, s.d.t(s.now())); err != nil {
		return err
	}
	return nil
}
