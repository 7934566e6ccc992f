package store

import (
	"context"
	"database/sql"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"ferry.dev/ferry/internal/testenv"
)

// TestMigrateUpgrade: a database at version 1 with data is brought to the
// latest version without losing the data, and migrating again is a no-op.
func TestMigrateUpgrade(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name, driver string
		d            dialect
		addr         func(t *testing.T) string
	}{
		{"sqlite", "sqlite", sqliteDialect, func(t *testing.T) string { return filepath.Join(t.TempDir(), "m.db") }},
		{"postgres", "pgx", postgresDialect, func(t *testing.T) string { return testenv.PostgresDSN(t) }},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			ctx := context.Background()
			db, err := sql.Open(tc.driver, tc.addr(t))
			if err != nil {
				t.Fatal(err)
			}
			defer db.Close()
			ms, err := migrations()
			if err != nil {
				t.Fatal(err)
			}
			now := tc.d.t(time.Now())
			if err := migrateList(ctx, db, tc.d, ms[:1], now); err != nil {
				t.Fatal(err)
			}
			_, err = db.ExecContext(ctx, tc.d.q(`INSERT INTO locks (name, owner, token, expires_at) VALUES (?, ?, ?, ?)`),
				"env/prod", "old", "tok", now)
			if err != nil {
				t.Fatal(err)
			}
			_, err = db.ExecContext(ctx, tc.d.q(`INSERT INTO deployments (env, revision, status, targets, inventory, started_at)
				VALUES (?, ?, ?, ?, ?, ?)`), "production", "r1", "succeeded", "[]", "[]", now)
			if err != nil {
				t.Fatal(err)
			}
			_, err = db.ExecContext(ctx, tc.d.q(`INSERT INTO check_runs (revision, passed, counts, started_at, ended_at)
				VALUES (?, ?, ?, ?, ?)`), "r1", true, "{}", now, now)
			if err != nil {
				t.Fatal(err)
			}
			for range 2 {
				if err := migrate(ctx, db, tc.d, now); err != nil {
					t.Fatal(err)
				}
			}
			var versions int
			if err := db.QueryRowContext(ctx, `SELECT count(*) FROM schema_migrations`).Scan(&versions); err != nil {
				t.Fatal(err)
			}
			if versions != len(ms) {
				t.Fatalf("%d versions recorded, want %d", versions, len(ms))
			}
			var owner string
			var acquired nullTime
			err = db.QueryRowContext(ctx, `SELECT owner, acquired_at FROM locks`).Scan(&owner, &acquired)
			if err != nil || owner != "old" || acquired.Valid {
				t.Fatalf("lock after upgrade: owner %q acquired %+v err %v", owner, acquired, err)
			}
			var kind sql.NullString
			var commits sql.NullInt64
			var first nullTime
			err = db.QueryRowContext(ctx, `SELECT change_kind, change_commits, first_commit_at FROM deployments`).
				Scan(&kind, &commits, &first)
			if err != nil || kind.Valid || commits.Valid || first.Valid {
				t.Fatalf("old deployment after upgrade: kind %+v commits %+v first %+v err %v", kind, commits, first, err)
			}
			var findings string
			var total int
			err = db.QueryRowContext(ctx, `SELECT CAST(findings AS TEXT), findings_total FROM check_runs`).Scan(&findings, &total)
			if err != nil || findings != "[]" || total != 0 {
				t.Fatalf("old check run after upgrade: findings %q total %d err %v", findings, total, err)
			}
		})
	}
}

// TestMigrateFailureRollsBack: a failing migration leaves the database as
// it was, schema_migrations included.
func TestMigrateFailureRollsBack(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db, err := sql.Open("sqlite", filepath.Join(t.TempDir(), "m.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	ms := []migration{
		{version: 1, name: "good", sql: "CREATE TABLE a (x TEXT);"},
		{version: 2, name: "bad", sql: "CREATE TABLE b (x TEXT);\nCREATE TABLE a (y TEXT);"},
	}
	err = migrateList(ctx, db, sqliteDialect, ms, sqliteDialect.t(time.Now()))
	if err == nil || !strings.Contains(err.Error(), "migrate 0002_bad") {
		t.Fatalf("error = %v, want one naming migration 0002_bad", err)
	}
	var n int
	if err := db.QueryRowContext(ctx, `SELECT count(*) FROM sqlite_master WHERE type = 'table'`).Scan(&n); err != nil {
		t.Fatal(err)
	}
	if n != 0 {
		t.Fatalf("%d tables left behind by a failed migration", n)
	}
}
