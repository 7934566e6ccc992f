// Package logs makes ferry serve's loggers: JSON lines (slog's own field
// names), text, or ECS — JSON lines with Elastic Common Schema field names,
// which Filebeat and Elastic Agent ingest without an ingest pipeline.
package logs

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"strings"
)

// Formats are the values --log-format takes.
var Formats = []string{"json", "text", "ecs"}

// ECSVersion is the ECS version whose field definitions the ecs format
// follows (tests check every field against @elastic/ecs of this version).
const ECSVersion = "9.4.0"

// Service is the service.name of ferry's ECS lines, Dataset their
// event.dataset (Elasticsearch's data stream logs-ferry.serve-*).
const (
	Service = "ferry"
	Dataset = "ferry.serve"
)

// New returns a logger writing format to w at level.
func New(format string, w io.Writer, level slog.Level) (*slog.Logger, error) {
	opts := &slog.HandlerOptions{Level: level}
	switch format {
	case "json":
		return slog.New(slog.NewJSONHandler(w, opts)), nil
	case "text":
		return slog.New(slog.NewTextHandler(w, opts)), nil
	case "ecs":
		opts.ReplaceAttr = ecsAttr
		return slog.New(ecsHandler{h: slog.NewJSONHandler(w, opts)}).With(
			slog.String("ecs.version", ECSVersion), slog.String("service.name", Service),
			slog.String("event.dataset", Dataset), slog.String("event.kind", "event")), nil
	}
	return nil, fmt.Errorf("unknown log format %q: use %s", format, strings.Join(Formats, ", "))
}

// ecsNames maps ferry's attribute keys to their ECS fields.
var ecsNames = map[string]string{
	"error":     "error.message",
	"reconcile": "trace.id", // one reconcile pass of the agent, end to end
	"action":    "event.action",
	"identity":  "service.node.name",
	"remote":    "client.address",
}

// ecsAttr renames slog's and ferry's keys to ECS fields; ferry's own
// attributes without an ECS field go under ferry.*. An agent outcome
// (action) also sets event.outcome.
func ecsAttr(groups []string, a slog.Attr) slog.Attr {
	if len(groups) > 0 { // ecsHandler flattens groups before they get here
		a.Key = "ferry." + strings.Join(groups, ".") + "." + a.Key
		return a
	}
	switch a.Key {
	case slog.TimeKey:
		return slog.String("@timestamp", a.Value.Time().UTC().Format("2006-01-02T15:04:05.000000Z07:00"))
	case slog.LevelKey:
		return slog.String("log.level", strings.ToLower(a.Value.String()))
	case slog.MessageKey:
		return slog.Attr{Key: "message", Value: a.Value}
	case "ecs.version", "service.name", "event.dataset", "event.kind", "event.outcome":
		return a
	}
	if name, ok := ecsNames[a.Key]; ok {
		a.Key = name
		return a
	}
	a.Key = "ferry." + a.Key
	return a
}

// ecsHandler adds event.outcome wherever an agent outcome (action) is
// logged, on the record or on the logger, and flattens groups into dotted
// keys (ECS lines are flat; a group's fields go under ferry.GROUP.*).
type ecsHandler struct {
	h      slog.Handler
	prefix string // the groups opened with WithGroup, dotted
}

func (e ecsHandler) Enabled(ctx context.Context, l slog.Level) bool { return e.h.Enabled(ctx, l) }

func (e ecsHandler) WithAttrs(as []slog.Attr) slog.Handler {
	return ecsHandler{e.h.WithAttrs(e.flatten(as)), e.prefix}
}

func (e ecsHandler) WithGroup(name string) slog.Handler {
	if name == "" {
		return e
	}
	return ecsHandler{e.h, e.prefix + name + "."}
}

func (e ecsHandler) Handle(ctx context.Context, r slog.Record) error {
	var as []slog.Attr
	r.Attrs(func(a slog.Attr) bool { as = append(as, a); return true })
	out := slog.NewRecord(r.Time, r.Level, r.Message, r.PC)
	out.AddAttrs(e.flatten(as)...)
	return e.h.Handle(ctx, out)
}

// flatten expands groups into dotted keys under the handler's groups and
// adds event.outcome after an action.
func (e ecsHandler) flatten(as []slog.Attr) []slog.Attr {
	var out []slog.Attr
	var walk func(prefix string, as []slog.Attr)
	walk = func(prefix string, as []slog.Attr) {
		for _, a := range as {
			a.Value = a.Value.Resolve()
			switch {
			case a.Value.Kind() == slog.KindGroup:
				walk(prefix+a.Key+".", a.Value.Group())
			case prefix == "" && a.Key == "action":
				out = append(out, a, outcomeOf(a.Value.String()))
			default:
				a.Key = prefix + a.Key
				out = append(out, a)
			}
		}
	}
	walk(e.prefix, as)
	return out
}

// outcomeOf is event.outcome for an agent action: ECS allows success,
// failure and unknown.
func outcomeOf(action string) slog.Attr {
	o := "unknown" // out-of-sync, drift: a state, not a result
	switch action {
	case "failed", "blocked":
		o = "failure"
	case "synced", "up-to-date", "healed", "promoted":
		o = "success"
	}
	return slog.String("event.outcome", o)
}
