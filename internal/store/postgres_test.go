package store_test

import (
	"context"
	"strings"
	"testing"

	"ferry.dev/ferry/internal/store"
	"ferry.dev/ferry/internal/testenv"
)

var postgresBackend = backend{
	fresh: func(t *testing.T) string { return testenv.PostgresDSN(t) },
	open: func(ctx context.Context, dsn string, o store.Options) (store.Store, error) {
		return store.OpenPostgres(ctx, dsn, o)
	},
}

func TestPostgresContract(t *testing.T) {
	t.Parallel()
	runContract(t, postgresBackend)
}

func TestPostgresOpenViaDriverName(t *testing.T) {
	t.Parallel()
	s, err := store.Open(context.Background(), store.DriverPostgres, testenv.PostgresDSN(t))
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
}

// TestPostgresErrorsHidePassword: a failed connection names the server but
// never the password, whichever DSN form carried it.
func TestPostgresErrorsHidePassword(t *testing.T) {
	t.Parallel()
	const secret = "s3cr3t-Passw0rd"
	cases := []struct{ name, dsn string }{
		{"url", "postgres://ferry:" + secret + "@127.0.0.1:1/ferry?sslmode=disable&connect_timeout=2"},
		{"url query", "postgres://ferry@127.0.0.1:1/ferry?sslmode=disable&password=" + secret},
		{"keyword", "host=127.0.0.1 port=1 user=ferry password='" + secret + "' sslmode=disable"},
		{"malformed", "postgres://ferry:" + secret + "@127.0.0.1:notaport/x"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			s, err := store.OpenPostgres(context.Background(), tc.dsn)
			if err == nil {
				s.Close()
				t.Fatal("connected to a closed port")
			}
			if strings.Contains(err.Error(), secret) {
				t.Fatalf("error leaks the password: %v", err)
			}
			if !strings.Contains(err.Error(), "open postgres") {
				t.Fatalf("error does not say what failed: %v", err)
			}
		})
	}
}

func TestPostgresKilledDeployerIsAborted(t *testing.T) {
	t.Parallel()
	testKilledDeployer(t, store.DriverPostgres, testenv.PostgresDSN(t))
}

// TestPostgresProcesses: 3 OS processes share one database.
func TestPostgresProcesses(t *testing.T) {
	t.Parallel()
	testProcesses(t, store.DriverPostgres, testenv.PostgresDSN(t))
}
