package store_test

import (
	"context"
	"database/sql"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"ferry.dev/ferry/internal/store"
)

var sqliteBackend = backend{
	fresh: func(t *testing.T) string { return filepath.Join(t.TempDir(), "state", "ferry.db") },
	open: func(ctx context.Context, path string, o store.Options) (store.Store, error) {
		return store.OpenSQLite(ctx, path, o)
	},
}

func TestSQLiteContract(t *testing.T) {
	t.Parallel()
	runContract(t, sqliteBackend)
}

func TestSQLiteFile(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "a", "b", ".ferry", "state.db") // parents do not exist yet
	s, err := store.Open(ctx, store.DriverSQLite, path)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	db, err := sql.Open("sqlite", path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var mode string
	if err := db.QueryRow("PRAGMA journal_mode").Scan(&mode); err != nil || mode != "wal" {
		t.Fatalf("journal_mode = %q (%v), want wal", mode, err)
	}
	var versions, tables int
	if err := db.QueryRow("SELECT count(*) FROM schema_migrations").Scan(&versions); err != nil || versions < 1 {
		t.Fatalf("schema_migrations rows = %d (%v)", versions, err)
	}
	err = db.QueryRow(`SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name IN
		('check_runs', 'promotions', 'deployments', 'events', 'locks')`).Scan(&tables)
	if err != nil || tables != 5 {
		t.Fatalf("tables = %d (%v), want 5", tables, err)
	}
}

func TestOpenErrors(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	blocker := filepath.Join(t.TempDir(), "file")
	if err := os.WriteFile(blocker, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name, driver, addr string
		invalid            bool
	}{
		{"unknown driver", "mysql", "x", true},
		{"empty path", "sqlite", "", true},
		{"parent is a file", "sqlite", filepath.Join(blocker, "db"), false},
		{"not a database", "sqlite", blocker + "x", false},
	}
	if err := os.WriteFile(blocker+"x", []byte(strings.Repeat("not sqlite ", 100)), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, tc := range cases {
		s, err := store.Open(ctx, tc.driver, tc.addr)
		if err == nil {
			s.Close()
			t.Errorf("%s: opened", tc.name)
			continue
		}
		if errors.Is(err, store.ErrInvalid) != tc.invalid {
			t.Errorf("%s: error %v, ErrInvalid = %v", tc.name, err, !tc.invalid)
		}
	}
}

// TestSQLiteProcesses: 3 OS processes share one SQLite file.
func TestSQLiteProcesses(t *testing.T) {
	t.Parallel()
	testProcesses(t, store.DriverSQLite, sqliteBackend.fresh(t))
}

func TestSQLiteKilledDeployerIsAborted(t *testing.T) {
	t.Parallel()
	testKilledDeployer(t, store.DriverSQLite, sqliteBackend.fresh(t))
}
