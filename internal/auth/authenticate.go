package auth

import (
	"context"
	"errors"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"sync"
	"time"

	"golang.org/x/time/rate"

	"ferry.dev/ferry/internal/store"
)

// TokenStore is the part of the store authentication reads.
type TokenStore interface {
	TokenByHash(ctx context.Context, hash string) (store.Token, error)
	TouchToken(ctx context.Context, id int64, at time.Time) error
}

// Sentinels of Authenticate.
var (
	// ErrUnauthenticated: no token, a malformed one, or none that is
	// known and unrevoked.
	ErrUnauthenticated = errors.New("a valid API token is required")
	// ErrRateLimited: too many failed attempts from the client.
	ErrRateLimited = errors.New("too many failed authentication attempts")
)

// Authenticator checks bearer tokens against the store.
type Authenticator struct {
	Store TokenStore
	Log   *slog.Logger
	// Failures is how many failed attempts a client address may make per
	// minute after a burst of Burst (defaults 10 and 20).
	Failures, Burst int
	// Now is the clock (default time.Now).
	Now func() time.Time

	mu      sync.Mutex
	clients map[string]*rate.Limiter
	touched map[int64]time.Time
}

// maxClients bounds the rate limiter's memory; past it the oldest state
// is dropped wholesale (an attacker spraying addresses gains a fresh
// burst, no more).
const maxClients = 10000

// touchEvery bounds how often a token's last use is written.
const touchEvery = time.Minute

// Authenticate returns the principal of the request's bearer token. A
// failure is logged with the client address and the reason, never the
// presented token, and counts against the client's rate limit.
func (a *Authenticator) Authenticate(r *http.Request) (Principal, error) {
	ip := clientIP(r)
	lim := a.limiter(ip)
	if lim.Tokens() < 1 {
		a.log().Warn("authentication refused: rate limited", "client", ip, "path", r.URL.Path)
		return Principal{}, ErrRateLimited
	}
	p, reason, err := a.check(r)
	if err != nil {
		lim.Allow()
		a.log().Warn("authentication failed", "client", ip, "path", r.URL.Path, "reason", reason)
		return Principal{}, err
	}
	return p, nil
}

func (a *Authenticator) check(r *http.Request) (Principal, string, error) {
	h := r.Header.Get("Authorization")
	if h == "" {
		return Principal{}, "no Authorization header", ErrUnauthenticated
	}
	scheme, tok, ok := strings.Cut(h, " ")
	if !ok || !strings.EqualFold(scheme, "Bearer") {
		return Principal{}, "not a Bearer authorization", ErrUnauthenticated
	}
	tok = strings.TrimSpace(tok)
	if !wellFormed(tok) {
		return Principal{}, "malformed token", ErrUnauthenticated
	}
	hash := Hash(tok)
	t, err := a.Store.TokenByHash(r.Context(), hash)
	if errors.Is(err, store.ErrNotFound) || err == nil && !sameHash(hash, t.Hash) {
		return Principal{}, "unknown or revoked token", ErrUnauthenticated
	}
	if err != nil {
		return Principal{}, "store unreachable", err
	}
	a.touch(r.Context(), t.ID)
	return Principal{Name: t.Name, Role: t.Role, Envs: t.Envs, TokenID: t.ID}, "", nil
}

func (a *Authenticator) now() time.Time {
	if a.Now != nil {
		return a.Now()
	}
	return time.Now()
}

func (a *Authenticator) log() *slog.Logger {
	if a.Log == nil {
		return slog.New(slog.DiscardHandler)
	}
	return a.Log
}

func (a *Authenticator) limiter(ip string) *rate.Limiter {
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.clients == nil || len(a.clients) >= maxClients {
		a.clients = map[string]*rate.Limiter{}
	}
	l, ok := a.clients[ip]
	if !ok {
		per, burst := a.Failures, a.Burst
		if per <= 0 {
			per = 10
		}
		if burst <= 0 {
			burst = 20
		}
		l = rate.NewLimiter(rate.Limit(float64(per)/60), burst)
		a.clients[ip] = l
	}
	return l
}

// touch records a token's use at most once a minute per token.
func (a *Authenticator) touch(ctx context.Context, id int64) {
	now := a.now()
	a.mu.Lock()
	if a.touched == nil {
		a.touched = map[int64]time.Time{}
	}
	last := a.touched[id]
	due := now.Sub(last) >= touchEvery
	if due {
		a.touched[id] = now
	}
	a.mu.Unlock()
	if due {
		if err := a.Store.TouchToken(context.WithoutCancel(ctx), id, now); err != nil {
			a.log().Warn("record token use", "token_id", id, "error", err.Error())
		}
	}
}

// clientIP is the request's peer address. Forwarded headers are not
// trusted: behind a proxy every client shares the proxy's limit.
func clientIP(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}
