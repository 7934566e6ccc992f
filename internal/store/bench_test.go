package store_test

import (
	"context"
	"fmt"
	"path/filepath"
	"testing"
	"time"

	"ferry.dev/ferry/internal/store"
	"ferry.dev/ferry/internal/testenv"
)

// Benchmarks of the write paths a sync takes, on each backend:
// go test -run='^$' -bench=. ./internal/store

func benchStores(b *testing.B) map[string]store.Store {
	ctx := context.Background()
	lite, err := store.OpenSQLite(ctx, filepath.Join(b.TempDir(), "bench.db"))
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { lite.Close() })
	pg, err := store.OpenPostgres(ctx, testenv.PostgresDSN(b))
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { pg.Close() })
	return map[string]store.Store{"sqlite": lite, "postgres": pg}
}

func BenchmarkDeploymentCycle(b *testing.B) {
	for name, s := range benchStores(b) {
		b.Run(name, func(b *testing.B) {
			ctx := context.Background()
			for i := 0; b.Loop(); i++ {
				l, err := s.AcquireLock(ctx, store.EnvLockName("bench"), "bench", time.Minute)
				if err != nil {
					b.Fatal(err)
				}
				id, err := s.StartDeployment(ctx, store.Deployment{Env: "bench", Revision: fmt.Sprint(i)})
				if err == nil {
					err = s.FinishDeployment(ctx, id, store.DeploymentResult{Status: store.StatusSucceeded,
						Inventory: []string{"apps/v1/Deployment/web/web"}})
				}
				if err == nil {
					err = s.ReleaseLock(ctx, l)
				}
				if err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

func BenchmarkAppendEventParallel(b *testing.B) {
	for name, s := range benchStores(b) {
		b.Run(name, func(b *testing.B) {
			ctx := context.Background()
			b.RunParallel(func(pb *testing.PB) {
				for pb.Next() {
					if _, err := s.AppendEvent(ctx, store.Event{Kind: "bench", Message: "m"}); err != nil {
						b.Error(err)
						return
					}
				}
			})
		})
	}
}
