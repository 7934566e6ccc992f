package testenv

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
)

// PostgreSQL for tests: one server per test process, started on first use
// from the PostgreSQL binaries of this machine (initdb, postgres), as the
// "postgres" user when the tests run as root, in a temp dir, listening on a
// free loopback port and on a unix socket in that dir, with trust auth.
// Every PostgresDSN call gets a fresh database on it.

// PostgresInstallHint says how to get PostgreSQL on a Debian machine.
const PostgresInstallHint = "install postgresql (apt-get install postgresql)"

// pg is the shared server of this test process.
var pg struct {
	mu    sync.Mutex
	srv   *pgServer
	err   error // a failed start is remembered: every later call fails fast
	next  int   // database counter
	admin *pgx.Conn
}

// PostgresDSN returns the DSN of a new, empty database on the test
// process's PostgreSQL server, starting the server on first use. The
// database is dropped when t ends. PostgreSQL missing from the machine skips
// t, or fails it with how to install PostgreSQL when CI=true. Packages that
// call it stop the server in TestMain (PostgresMain, or Main).
func PostgresDSN(t testing.TB) string {
	t.Helper()
	bin, err := PostgresBinDir()
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("testenv: %v (CI=true: missing tools fail instead of skipping)", err)
		}
		t.Skipf("testenv: %v", err)
	}
	pg.mu.Lock()
	defer pg.mu.Unlock()
	if pg.srv == nil && pg.err == nil {
		pg.srv, pg.err = pgStart(bin)
	}
	if pg.err != nil {
		t.Fatalf("testenv: %v", pg.err)
	}
	name, err := pgCreateDatabase()
	if err != nil {
		t.Fatalf("testenv: %v", err)
	}
	srv := pg.srv
	t.Cleanup(func() {
		if err := pgDropDatabase(srv, name); err != nil {
			t.Errorf("testenv: %v", err)
		}
	})
	return srv.dsn(name)
}

// PostgresStop stops the shared server, if one was started, and removes its
// directory. A later PostgresDSN starts a new one.
func PostgresStop() {
	pg.mu.Lock()
	defer pg.mu.Unlock()
	if pg.admin != nil {
		pg.admin.Close(context.Background())
		pg.admin = nil
	}
	if pg.srv != nil {
		pg.srv.stop()
	}
	pg.srv, pg.err = nil, nil
}

// PostgresMain runs the package's tests, then stops PostgreSQL. Use it as:
// func TestMain(m *testing.M) { testenv.PostgresMain(m) }.
func PostgresMain(m *testing.M) {
	code := m.Run()
	PostgresStop()
	os.Exit(code)
}

// PostgresBinDir finds the directory holding initdb and postgres: the one
// of initdb on PATH, else the newest /usr/lib/postgresql/*/bin (Debian
// keeps them off PATH).
func PostgresBinDir() (string, error) {
	if p, err := exec.LookPath("initdb"); err == nil {
		dir := filepath.Dir(p)
		if pgIsExec(filepath.Join(dir, "postgres")) {
			return dir, nil
		}
	}
	dirs, _ := filepath.Glob("/usr/lib/postgresql/*/bin")
	sort.Slice(dirs, func(i, j int) bool { return pgVersionOf(dirs[i]) > pgVersionOf(dirs[j]) })
	for _, d := range dirs {
		if pgIsExec(filepath.Join(d, "initdb")) && pgIsExec(filepath.Join(d, "postgres")) {
			return d, nil
		}
	}
	return "", fmt.Errorf("find postgresql: no initdb/postgres on PATH or in /usr/lib/postgresql/*/bin; %s",
		PostgresInstallHint)
}

func pgVersionOf(binDir string) int {
	var v int
	fmt.Sscanf(filepath.Base(filepath.Dir(binDir)), "%d", &v)
	return v
}

func pgIsExec(p string) bool {
	fi, err := os.Stat(p)
	return err == nil && !fi.IsDir() && fi.Mode()&0o111 != 0
}

// pgCreateDatabase creates test_<n> through the admin connection (held
// under pg.mu: CREATE DATABASE copies template1, one at a time).
func pgCreateDatabase() (string, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if pg.admin == nil || pg.admin.IsClosed() {
		c, err := pgx.Connect(ctx, pg.srv.dsn("postgres"))
		if err != nil {
			return "", fmt.Errorf("connect postgres admin: %w", err)
		}
		pg.admin = c
	}
	pg.next++
	name := fmt.Sprintf("test_%d", pg.next)
	if _, err := pg.admin.Exec(ctx, "CREATE DATABASE "+name); err != nil {
		return "", fmt.Errorf("create database %s: %w", name, err)
	}
	return name, nil
}

// pgDropDatabase drops a test database, closing what still uses it. A
// server stopped meanwhile took the database with it.
func pgDropDatabase(srv *pgServer, name string) error {
	pg.mu.Lock()
	defer pg.mu.Unlock()
	if pg.srv != srv || pg.admin == nil {
		return nil
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	_, err := pg.admin.Exec(ctx, "DROP DATABASE IF EXISTS "+name+" WITH (FORCE)")
	if err != nil && !errors.Is(err, context.Canceled) {
		return fmt.Errorf("drop database %s: %w", name, err)
	}
	return nil
}
