package testenv

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
)

// pgHelperEnv makes the test binary act as a process that starts PostgreSQL
// and then waits to be killed (TestPostgresHelperProcess).
const pgHelperEnv = "FERRY_TESTENV_PG_HELPER"

// TestPostgresLifecycle runs its steps in order on one server, then stops
// it: nothing else in this package shares PostgreSQL.
func TestPostgresLifecycle(t *testing.T) {
	ctx := context.Background()
	a, b := PostgresDSN(t), PostgresDSN(t)
	if a == b {
		t.Fatalf("two calls returned the same DSN %s", a)
	}
	srv := pg.srv

	t.Run("databases are separate", func(t *testing.T) {
		ca, cb := pgConnect(t, a), pgConnect(t, b)
		if _, err := ca.Exec(ctx, "CREATE TABLE only_in_a (x int)"); err != nil {
			t.Fatal(err)
		}
		var n int
		q := "SELECT count(*) FROM information_schema.tables WHERE table_name = 'only_in_a'"
		if err := cb.QueryRow(ctx, q).Scan(&n); err != nil {
			t.Fatal(err)
		}
		if n != 0 {
			t.Fatalf("table created in %s is visible in %s", a, b)
		}
	})
	t.Run("runs as postgres when root, with a unix socket in its dir", func(t *testing.T) {
		if os.Geteuid() == 0 {
			u, err := user.Lookup("postgres")
			if err != nil {
				t.Fatal(err)
			}
			if uid := pgProcUID(t, srv.cmd.Process.Pid); uid != u.Uid {
				t.Fatalf("postgres runs as uid %s, want %s (postgres)", uid, u.Uid)
			}
		}
		sock := filepath.Join(srv.dir, "sock", fmt.Sprintf(".s.PGSQL.%d", srv.port))
		if _, err := os.Stat(sock); err != nil {
			t.Fatalf("no unix socket: %v", err)
		}
	})
	t.Run("a database is dropped when its test ends", func(t *testing.T) {
		var name string
		t.Run("inner", func(t *testing.T) {
			dsn := PostgresDSN(t)
			name = dsn[strings.LastIndex(dsn, "/")+1 : strings.Index(dsn, "?")]
		})
		var n int
		c := pgConnect(t, a)
		if err := c.QueryRow(ctx, "SELECT count(*) FROM pg_database WHERE datname = $1", name).Scan(&n); err != nil {
			t.Fatal(err)
		}
		if n != 0 {
			t.Fatalf("database %s still exists after its test ended", name)
		}
	})
	t.Run("stop kills the server and removes its dir", func(t *testing.T) {
		PostgresStop()
		select {
		case <-srv.done:
		case <-time.After(15 * time.Second):
			t.Fatal("postgres still running after PostgresStop")
		}
		if _, err := os.Stat(srv.dir); !errors.Is(err, os.ErrNotExist) {
			t.Fatalf("server dir %s not removed: %v", srv.dir, err)
		}
	})
}

// TestPostgresDiesWithTestBinary kills -9 a test process that started
// PostgreSQL and checks the server dies with it and that the next start
// removes the dir left behind.
func TestPostgresDiesWithTestBinary(t *testing.T) {
	if _, err := PostgresBinDir(); err != nil {
		PostgresDSN(t) // skips, or fails when CI=true
	}
	// A temp dir of its own, so another package's start-up, reaping
	// stale servers under /tmp, cannot remove the dir this test inspects.
	// Short, not t.TempDir(): the server's Unix socket lives under it.
	tmp, err := os.MkdirTemp("", "pgt")
	if err != nil {
		t.Fatal(err)
	}
	defer os.RemoveAll(tmp)
	if err := os.Chmod(tmp, 0o711); err != nil { // as root, the server runs as postgres
		t.Fatal(err)
	}
	cmd := exec.Command(os.Args[0], "-test.run=^TestPostgresHelperProcess$", "-test.v")
	cmd.Env = append(os.Environ(), pgHelperEnv+"=1", "TMPDIR="+tmp)
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer cmd.Process.Kill()
	var pid int
	var dir string
	sc := bufio.NewScanner(out)
	for sc.Scan() {
		if _, err := fmt.Sscanf(sc.Text(), "PG %d %s", &pid, &dir); err == nil {
			break
		}
	}
	if pid == 0 {
		t.Fatalf("helper did not report its server: %v", sc.Err())
	}
	if filepath.Dir(dir) != tmp {
		t.Fatalf("helper's server dir %s is not under its TMPDIR %s", dir, tmp)
	}
	cmd.Process.Signal(syscall.SIGKILL)
	cmd.Wait()
	deadline := time.Now().Add(15 * time.Second)
	for syscall.Kill(pid, 0) == nil {
		if time.Now().After(deadline) {
			t.Fatalf("postgres %d still alive 15s after its test process was killed", pid)
		}
		time.Sleep(50 * time.Millisecond)
	}
	if _, err := os.Stat(dir); err != nil {
		t.Fatalf("expected the killed process to leave %s behind: %v", dir, err)
	}
	pgRemoveStale(tmp)
	if _, err := os.Stat(dir); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("stale dir %s not removed: %v", dir, err)
	}
}

// TestPostgresHelperProcess is not a test: TestPostgresDiesWithTestBinary
// runs it in a child process.
func TestPostgresHelperProcess(t *testing.T) {
	if os.Getenv(pgHelperEnv) != "1" {
		return
	}
	PostgresDSN(t)
	fmt.Printf("PG %d %s\n", pg.srv.cmd.Process.Pid, pg.srv.dir)
	time.Sleep(time.Minute)
}

func TestPostgresBinDir(t *testing.T) {
	dir, err := PostgresBinDir()
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("%v", err)
		}
		t.Skip(err)
	}
	for _, tool := range []string{"initdb", "postgres"} {
		if !pgIsExec(filepath.Join(dir, tool)) {
			t.Errorf("%s has no executable %s", dir, tool)
		}
	}
}

func pgConnect(t *testing.T, dsn string) *pgx.Conn {
	t.Helper()
	c, err := pgx.Connect(context.Background(), dsn)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close(context.Background()) })
	return c
}

// pgProcUID returns the real uid of a process, from /proc.
func pgProcUID(t *testing.T, pid int) string {
	t.Helper()
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/status")
	if err != nil {
		t.Fatal(err)
	}
	for line := range strings.Lines(string(b)) {
		if rest, ok := strings.CutPrefix(line, "Uid:"); ok {
			return strings.Fields(rest)[0]
		}
	}
	t.Fatal("no Uid line in /proc status")
	return ""
}
