package agent

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"log/slog"
)

// Every reconcile pass logs with its own "reconcile" ID (32 hex digits, the
// shape of a W3C trace ID; ECS logs name it trace.id), so the lines of one
// pass — the outcome, the deploy's progress, the drift — can be read as one.

type logKey struct{}

// withReconcileLog returns ctx carrying a logger for a new reconcile pass.
func (a *Agent) withReconcileLog(ctx context.Context) context.Context {
	var id [16]byte
	_, _ = rand.Read(id[:])
	return context.WithValue(ctx, logKey{}, a.log.With("reconcile", hex.EncodeToString(id[:])))
}

// logFor is the logger of ctx's reconcile pass, else the agent's.
func (a *Agent) logFor(ctx context.Context) *slog.Logger {
	if l, ok := ctx.Value(logKey{}).(*slog.Logger); ok {
		return l
	}
	return a.log
}
