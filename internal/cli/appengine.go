package cli

import (
	"context"
	"log/slog"

	"ferry.dev/ferry/internal/app"
	"ferry.dev/ferry/internal/flow"
)

// openApp opens the use-case layer on --repo, its progress written as
// lines on stderr, and the workflow engine on it (which settles the remote
// and clears worktrees left by killed runs). The caller closes the App.
func openApp(ctx context.Context, g *Globals) (*app.App, *flow.Engine, error) {
	dir, err := g.RepoDir()
	if err != nil {
		return nil, nil, err
	}
	a, err := app.Open(ctx, dir, app.Options{Log: progressLog(g)})
	if err != nil {
		return nil, nil, err
	}
	e, err := a.Flow(ctx)
	if err != nil {
		a.Close()
		return nil, nil, err
	}
	return a, e, nil
}

// openDeploy opens the use-case layer for the deploy verbs, which do not
// need the workflow engine.
func openDeploy(ctx context.Context, g *Globals) (*app.App, error) {
	dir, err := g.RepoDir()
	if err != nil {
		return nil, err
	}
	return app.Open(ctx, dir, app.Options{Log: progressLog(g)})
}

// progressLog turns the use cases' structured records into the human
// progress lines the CLI prints on stderr: the message alone.
func progressLog(g *Globals) *slog.Logger { return slog.New(progressHandler{g: g}) }

type progressHandler struct{ g *Globals }

func (h progressHandler) Enabled(_ context.Context, l slog.Level) bool { return l >= slog.LevelInfo }
func (h progressHandler) Handle(_ context.Context, r slog.Record) error {
	h.g.Progress("%s", r.Message)
	return nil
}
func (h progressHandler) WithAttrs([]slog.Attr) slog.Handler { return h }
func (h progressHandler) WithGroup(string) slog.Handler      { return h }
