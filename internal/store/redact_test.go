package store_test

import (
	"strings"
	"testing"

	"ferry.dev/ferry/internal/store"
	"github.com/jackc/pgx/v5/pgconn"
)

func TestRedactDSN(t *testing.T) {
	t.Parallel()
	cases := []struct{ name, dsn, want string }{
		{"url", "postgres://ana:pw@db.example:6543/ferry?sslmode=disable",
			"host=db.example port=6543 user=ana database=ferry"},
		{"keyword quoted", `host=/run/pg user=ferry password='a b\' c' dbname=state`,
			"host=/run/pg port=5432 user=ferry database=state"},
		{"unparsable", "postgres://ana:pw@db:notaport/x", "(unparsable DSN)"},
	}
	for _, tc := range cases {
		if got := store.RedactDSN(tc.dsn); got != tc.want {
			t.Errorf("%s: RedactDSN = %q, want %q", tc.name, got, tc.want)
		}
	}
}

// FuzzRedactDSN: no input panics, and the password of any DSN that parses
// never appears in the redacted form (unless it is part of the fields the
// form shows on purpose).
func FuzzRedactDSN(f *testing.F) {
	for _, s := range []string{
		"postgres://u:secretpw@h:5432/db?sslmode=disable",
		"postgresql://u@h1,h2:5433/db?password=secretpw",
		"host=h user=u password=secretpw dbname=db",
		`password='sec ret\'pw' host=h`,
		"postgres://u:%73ecretpw@h/db",
		"", "=", "postgres://", "password=",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, dsn string) {
		out := store.RedactDSN(dsn)
		cfg, err := pgconn.ParseConfig(dsn)
		if err != nil || len(cfg.Password) < 4 {
			return
		}
		shown := cfg.Host + cfg.User + cfg.Database + "host= port= user= database="
		if strings.Contains(out, cfg.Password) && !strings.Contains(shown, cfg.Password) {
			t.Fatalf("RedactDSN(%q) = %q shows the password %q", dsn, out, cfg.Password)
		}
	})
}
