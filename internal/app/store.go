package app

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"ferry.dev/ferry/internal/platform"
	"ferry.dev/ferry/internal/store"
)

// OpenStore opens the platform's store: SQLite under the repository by
// default (its directory git-ignores itself) or PostgreSQL.
func OpenStore(ctx context.Context, p *platform.Platform) (store.Store, error) {
	if p.Spec.Store.Driver == platform.DefaultStoreDriver {
		path, err := p.StorePath()
		if err != nil {
			return nil, err
		}
		if err := ignoreStoreDir(filepath.Dir(path), p.Dir); err != nil {
			return nil, err
		}
		return store.OpenSQLite(ctx, path)
	}
	dsn, err := p.StoreDSN()
	if err != nil {
		return nil, err
	}
	return store.Open(ctx, p.Spec.Store.Driver, dsn)
}

// ignoreStoreDir writes a .gitignore of "*" into a store directory inside
// the repository, so the state database never shows as untracked.
func ignoreStoreDir(dir, repo string) error {
	rel, err := filepath.Rel(repo, dir)
	if err != nil || rel == "." || strings.HasPrefix(rel, "..") {
		return nil
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("create store dir: %w", err)
	}
	gi := filepath.Join(dir, ".gitignore")
	if _, err := os.Stat(gi); errors.Is(err, os.ErrNotExist) {
		if err := os.WriteFile(gi, []byte("*\n"), 0o644); err != nil {
			return fmt.Errorf("ignore store dir: %w", err)
		}
	}
	return nil
}
