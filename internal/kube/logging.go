package kube

import (
	"context"
	"log/slog"
	"sync"

	"github.com/go-logr/logr"
	ctrllog "sigs.k8s.io/controller-runtime/pkg/log"
)

var quietCtrlLog sync.Once

// silenceControllerRuntime gives controller-runtime its logger once per
// process. Without one, controller-runtime prints a "log.SetLogger(...) was
// never called" warning with a goroutine stack on stderr the first time it
// logs after 30 seconds. Its messages go to slog's default handler at debug
// level, so they stay hidden unless a caller enables debug logging.
func silenceControllerRuntime() {
	quietCtrlLog.Do(func() {
		ctrllog.SetLogger(logr.FromSlogHandler(debugHandler{h: slog.Default().Handler()}))
	})
}

// debugHandler lowers every record to slog.LevelDebug.
type debugHandler struct{ h slog.Handler }

func (d debugHandler) Enabled(ctx context.Context, _ slog.Level) bool {
	return d.h.Enabled(ctx, slog.LevelDebug)
}

func (d debugHandler) Handle(ctx context.Context, r slog.Record) error {
	r.Level = slog.LevelDebug
	return d.h.Handle(ctx, r)
}

func (d debugHandler) WithAttrs(attrs []slog.Attr) slog.Handler {
	return debugHandler{h: d.h.WithAttrs(attrs)}
}

func (d debugHandler) WithGroup(name string) slog.Handler {
	return debugHandler{h: d.h.WithGroup(name)}
}
