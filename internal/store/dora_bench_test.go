package store

import (
	"context"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"ferry.dev/ferry/internal/testenv"
)

// BenchmarkDORA: the DORA aggregates over 100,000 production deployments
// in the window, on each backend (the bar is 1 s per call):
// go test -tags kustomize_disable_go_plugin_support -run='^$' -bench=DORA ./internal/store
func BenchmarkDORA(b *testing.B) {
	const n = 100_000
	ctx := context.Background()
	now := time.Now()
	backends := []struct {
		name string
		open func() (*sqlStore, error)
	}{
		{"sqlite", func() (*sqlStore, error) {
			s, err := OpenSQLite(ctx, filepath.Join(b.TempDir(), "dora.db"))
			return asSQL(s), err
		}},
		{"postgres", func() (*sqlStore, error) {
			s, err := OpenPostgres(ctx, testenv.PostgresDSN(b))
			return asSQL(s), err
		}},
	}
	for _, be := range backends {
		b.Run(be.name, func(b *testing.B) {
			s, err := be.open()
			if err != nil {
				b.Fatal(err)
			}
			defer s.Close()
			if err := seedDeployments(ctx, s, "production", now, n); err != nil {
				b.Fatal(err)
			}
			q := DORAQuery{Env: "production", From: now.Add(-91 * 24 * time.Hour), To: now}
			var st DORAStats
			for b.Loop() {
				if st, err = s.DORA(ctx, q); err != nil {
					b.Fatal(err)
				}
			}
			if st.Deployments+st.Redeploys+st.Unfinished != n {
				b.Fatalf("aggregated %d deployments, want %d: %+v", st.Deployments+st.Redeploys+st.Unfinished, n, st)
			}
		})
	}
}

func asSQL(s Store) *sqlStore {
	if s == nil {
		return nil
	}
	return s.(*sqlStore)
}

// seedDeployments writes n deployments of env, one every 78 s back from
// now (90 days for 100,000), in multi-row INSERTs: 1 in 12 failed, 1 in 40
// a rollback, 1 in 25 a hotfix, 1 in 50 a redeploy, lead times from
// minutes to days.
func seedDeployments(ctx context.Context, s *sqlStore, env string, now time.Time, n int) error {
	const batch = 500
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	for lo := 0; lo < n; lo += batch {
		var rows []string
		var args []any
		for i := lo; i < min(lo+batch, n); i++ {
			begin := now.Add(-time.Duration(n-i) * 78 * time.Second)
			status, kind, commits := seedKind(i)
			var remediated any
			if _, next, _ := seedKind(i + 1); next != "change" && commits > 0 && i+1 < n {
				remediated = next
			}
			first := begin.Add(-time.Duration(i%97) * 37 * time.Minute)
			end := begin.Add(40 * time.Second)
			rows = append(rows, "(?, ?, ?, '[]', '[]', ?, ?, ?, ?, ?, ?, ?)")
			args = append(args, env, fmt.Sprint("r", i), status, s.d.t(begin), s.d.t(end),
				kind, commits, s.d.t(first), end.Sub(first).Seconds(), remediated)
		}
		query := `INSERT INTO deployments (env, revision, status, targets, inventory, started_at, ended_at,
			change_kind, change_commits, first_commit_at, lead_seconds, remediated_by) VALUES ` + strings.Join(rows, ", ")
		if _, err := tx.ExecContext(ctx, s.d.q(query), args...); err != nil {
			return err
		}
	}
	return tx.Commit()
}

// seedKind is deployment i's status, change kind and commit count.
func seedKind(i int) (status, kind string, commits int) {
	status, kind, commits = "succeeded", "change", 1+i%7
	switch {
	case i%12 == 5:
		status = "failed"
	case i%40 == 7:
		kind = "rollback"
	case i%25 == 3:
		kind = "hotfix"
	case i%50 == 11:
		commits = 0
	}
	return status, kind, commits
}
