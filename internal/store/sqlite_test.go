package store_test

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
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

// TestSQLiteProcesses runs 3 OS processes on one SQLite file. Each writes
// deployments outside any lock and, under a store lock, an "enter" and an
// "exit" event: if the lock ever let two processes in, their events would
// interleave.
func TestSQLiteProcesses(t *testing.T) {
	t.Parallel()
	path := sqliteBackend.fresh(t)
	const procs = 3
	cmds := make([]*exec.Cmd, procs)
	outs := make([]strings.Builder, procs)
	for i := range cmds {
		cmds[i] = exec.Command(os.Args[0], "-test.run=^$")
		cmds[i].Env = append(os.Environ(), writerEnv+"="+path, fmt.Sprintf("FERRY_STORE_WRITER_ID=w%d", i))
		cmds[i].Stdout, cmds[i].Stderr = &outs[i], &outs[i]
		if err := cmds[i].Start(); err != nil {
			t.Fatal(err)
		}
	}
	for i, c := range cmds {
		if err := c.Wait(); err != nil {
			t.Fatalf("writer %d: %v\n%s", i, err, outs[i].String())
		}
	}
	s, err := store.OpenSQLite(context.Background(), path)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	ds := must(s.Deployments(context.Background(), store.DeploymentFilter{Status: store.StatusSucceeded}))(t)
	if len(ds) != procs*writerRounds {
		t.Fatalf("%d succeeded deployments, want %d", len(ds), procs*writerRounds)
	}
	aborted := must(s.Deployments(context.Background(), store.DeploymentFilter{Status: store.StatusAborted}))(t)
	if len(aborted) != procs*writerRounds {
		t.Fatalf("%d aborted deployments, want %d", len(aborted), procs*writerRounds)
	}
	evs := must(s.Events(context.Background(), store.EventFilter{Kind: "enter"}))(t)
	evs = append(evs, must(s.Events(context.Background(), store.EventFilter{Kind: "exit"}))(t)...)
	sort.Slice(evs, func(i, j int) bool { return evs[i].ID > evs[j].ID })
	if len(evs) != 2*procs*writerRounds {
		t.Fatalf("%d events, want %d", len(evs), 2*procs*writerRounds)
	}
	// Oldest first: enter/exit pairs of one owner, never interleaved.
	for i := len(evs) - 1; i > 0; i -= 2 {
		enter, exit := evs[i], evs[i-1]
		if enter.Kind != "enter" || exit.Kind != "exit" || enter.Actor != exit.Actor {
			t.Fatalf("critical sections overlap: %s by %s then %s by %s", enter.Kind, enter.Actor, exit.Kind, exit.Actor)
		}
	}
}

func TestSQLiteKilledDeployerIsAborted(t *testing.T) {
	t.Parallel()
	testKilledDeployer(t, store.DriverSQLite, sqliteBackend.fresh(t))
}
