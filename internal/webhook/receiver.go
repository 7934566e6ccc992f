package webhook

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"sync/atomic"
)

// DefaultMaxBody is the largest body a Receiver reads unless Config says
// otherwise. Push payloads of a few hundred commits fit well inside it.
const DefaultMaxBody = 1 << 20

// Push is what a verified delivery tells the agent.
type Push struct {
	Provider string   // "github", "gitlab", "gitea", "bitbucket", "generic"
	Delivery string   // delivery ID from the host's header ("" if the host sends none)
	Refs     []string // full ref names pushed, e.g. "refs/heads/develop"; empty means "check every lane"
	Repo     string   // repository name/URL as the payload names it (for logs only)
}

// Config configures a Receiver.
type Config struct {
	Secret  []byte       // shared secret; empty => every request is rejected 401 (no unsigned mode)
	MaxBody int64        // largest body read; default DefaultMaxBody; larger bodies get 413
	Logger  *slog.Logger // default slog.New(slog.DiscardHandler)
	// Seen dedups delivery IDs; default an in-memory set of the last 1024 IDs.
	Seen DeliverySet
}

// withDefaults fills in what cfg leaves zero. The secret is copied, so the
// caller may wipe or reuse its slice.
func withDefaults(cfg Config) Config {
	cfg.Secret = append([]byte(nil), cfg.Secret...)
	if cfg.MaxBody <= 0 {
		cfg.MaxBody = DefaultMaxBody
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	if cfg.Seen == nil {
		cfg.Seen = newRecentSet(defaultSeen)
	}
	return cfg
}

// Stats counts outcomes, safe for concurrent use, so metrics can read it
// later. Requests to an unknown provider (404) or with another method than
// POST (405) are not deliveries and are not counted.
type Stats struct {
	Accepted, Ignored, Unauthorized, TooLarge, BadRequest, Replayed, Ping uint64
}

type counters struct {
	accepted, ignored, unauthorized, tooLarge, badRequest, replayed, ping atomic.Uint64
}

func (c *counters) snapshot() Stats {
	return Stats{
		Accepted: c.accepted.Load(), Ignored: c.ignored.Load(), Unauthorized: c.unauthorized.Load(),
		TooLarge: c.tooLarge.Load(), BadRequest: c.badRequest.Load(), Replayed: c.replayed.Load(),
		Ping: c.ping.Load(),
	}
}

func (s Stats) add(o Stats) Stats {
	return Stats{Accepted: s.Accepted + o.Accepted, Ignored: s.Ignored + o.Ignored,
		Unauthorized: s.Unauthorized + o.Unauthorized, TooLarge: s.TooLarge + o.TooLarge,
		BadRequest: s.BadRequest + o.BadRequest, Replayed: s.Replayed + o.Replayed, Ping: s.Ping + o.Ping}
}

// Receiver is the http.Handler for /hooks/{provider}.
type Receiver struct {
	cfg   Config
	sink  func(ctx context.Context, p Push)
	stats map[string]*counters // per provider; the keys of providers, fixed at New
}

// New returns a Receiver that calls sink, synchronously and with the
// request's context, for every verified push that is not a redelivery. sink
// must be cheap (enqueue and return): the host waits for the answer.
func New(cfg Config, sink func(ctx context.Context, p Push)) *Receiver {
	if sink == nil {
		panic("webhook: New with a nil sink")
	}
	cfg = withDefaults(cfg)
	if len(cfg.Secret) == 0 {
		cfg.Logger.Warn("webhook secret is empty: every delivery will be rejected")
	}
	r := &Receiver{cfg: cfg, sink: sink, stats: map[string]*counters{}}
	for name := range providers {
		r.stats[name] = &counters{}
	}
	return r
}

// Stats returns a snapshot of the outcome counters, all providers summed.
func (r *Receiver) Stats() Stats {
	var sum Stats
	for _, c := range r.stats {
		sum = sum.add(c.snapshot())
	}
	return sum
}

// ProviderStats returns a snapshot of the outcome counters per provider
// (every provider ferry knows, counted or not).
func (r *Receiver) ProviderStats() map[string]Stats {
	out := make(map[string]Stats, len(r.stats))
	for name, c := range r.stats {
		out[name] = c.snapshot()
	}
	return out
}

// ServeHTTP routes POST /hooks/{provider}.
func (r *Receiver) ServeHTTP(w http.ResponseWriter, req *http.Request) {
	name, ok := strings.CutPrefix(req.URL.Path, "/hooks/")
	handle, known := providers[name]
	if !ok || !known {
		reply(w, http.StatusNotFound, "not_found")
		return
	}
	if req.Method != http.MethodPost {
		w.Header().Set("Allow", http.MethodPost)
		reply(w, http.StatusMethodNotAllowed, "method_not_allowed")
		return
	}
	log := r.cfg.Logger.With("provider", name, "remote", req.RemoteAddr)
	if len(r.cfg.Secret) == 0 {
		r.finish(w, req, log, name, verdict{outcome: unauthorized})
		return
	}
	body, err := readBody(w, req, r.cfg.MaxBody)
	if errors.Is(err, errTooLarge) {
		r.stats[name].tooLarge.Add(1)
		log.Warn("reject webhook: body too large", "max_bytes", r.cfg.MaxBody)
		reply(w, http.StatusRequestEntityTooLarge, "too_large")
		return
	}
	if err != nil {
		r.finish(w, req, log, name, verdict{outcome: badRequest, err: err})
		return
	}
	r.finish(w, req, log, name, handle(req.Header, body, r.cfg.Secret))
}

var errTooLarge = errors.New("body too large")

// readBody reads the whole body, refusing more than maxBytes.
func readBody(w http.ResponseWriter, req *http.Request, maxBytes int64) ([]byte, error) {
	if req.ContentLength > maxBytes {
		return nil, errTooLarge
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, req.Body, maxBytes))
	if _, ok := errors.AsType[*http.MaxBytesError](err); ok {
		return nil, errTooLarge
	}
	if err != nil {
		return nil, fmt.Errorf("read body: %w", err)
	}
	return body, nil
}

// finish answers the host, counts the outcome and, for a new push, calls
// the sink. Nothing here logs a header value other than the delivery ID and
// event name, which were checked to be short and printable.
func (r *Receiver) finish(w http.ResponseWriter, req *http.Request, log *slog.Logger, name string, v verdict) {
	if v.delivery != "" {
		log = log.With("delivery", v.delivery)
	}
	switch v.outcome {
	case unauthorized:
		r.stats[name].unauthorized.Add(1)
		log.Warn("reject webhook: missing or invalid signature")
		reply(w, http.StatusUnauthorized, "unauthorized")
	case badRequest:
		r.stats[name].badRequest.Add(1)
		log.Warn("reject webhook: bad request", "err", v.err)
		reply(w, http.StatusBadRequest, "bad_request")
	case ping:
		r.stats[name].ping.Add(1)
		log.Info("webhook ping")
		reply(w, http.StatusOK, "pong")
	case ignored:
		r.stats[name].ignored.Add(1)
		log.Debug("ignore webhook", "event", v.event, "reason", v.err)
		reply(w, http.StatusAccepted, "ignored")
	case accepted:
		// Only a verified, parsed push reaches here, so only those are
		// remembered: an unsigned request cannot poison the set.
		if v.delivery != "" && !r.cfg.Seen.Add(name+"\x00"+v.delivery) {
			r.stats[name].replayed.Add(1)
			log.Info("webhook replayed")
			reply(w, http.StatusOK, "replayed")
			return
		}
		r.sink(req.Context(), Push{Provider: name, Delivery: v.delivery, Refs: v.refs, Repo: v.repo})
		r.stats[name].accepted.Add(1)
		log.Info("webhook accepted", "refs", v.refs, "repo", v.repo)
		reply(w, http.StatusOK, "accepted")
	}
}

// reply writes {"status": status}; status is always one of this file's
// constants, never anything from the request.
func reply(w http.ResponseWriter, code int, status string) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.WriteHeader(code)
	_, _ = io.WriteString(w, `{"status":"`+status+`"}`+"\n")
}
