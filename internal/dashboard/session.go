package dashboard

import (
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/hex"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"ferry.dev/ferry/internal/auth"
)

// cookieName is the session cookie; the __Host- prefix makes the browser
// refuse it unless it is Secure, host-only and for the whole path.
const cookieName = "__Host-ferry_session"

// maxSessions bounds the sessions kept in memory; past it expired ones
// are dropped, then the oldest.
const maxSessions = 10000

// session is one login. The cookie holds a random session ID; the server
// keeps only its hash as the key, and the API token in memory, never in
// the cookie: a stolen cookie dies with its session (logout, expiry,
// restart) and a revoked token ends every session at the next request.
type session struct {
	token   string
	csrf    string
	expires time.Time
	created time.Time
	flash   string // shown once on the next page
}

type sessions struct {
	ttl time.Duration
	mu  sync.Mutex
	m   map[string]*session // by sha256(session ID)
}

func newSessions(ttl time.Duration) *sessions {
	return &sessions{ttl: ttl, m: map[string]*session{}}
}

func random() string {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		panic("dashboard: no randomness: " + err.Error())
	}
	return base64.RawURLEncoding.EncodeToString(b)
}

func key(id string) string {
	sum := sha256.Sum256([]byte(id))
	return hex.EncodeToString(sum[:])
}

// create opens a session for token and returns its ID (the cookie value).
func (s *sessions) create(token string) string {
	id, now := random(), time.Now()
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.m) >= maxSessions {
		s.evict(now)
	}
	s.m[key(id)] = &session{token: token, csrf: random(), expires: now.Add(s.ttl), created: now}
	return id
}

func (s *sessions) evict(now time.Time) {
	var oldest string
	for k, v := range s.m {
		if now.After(v.expires) {
			delete(s.m, k)
		} else if oldest == "" || v.created.Before(s.m[oldest].created) {
			oldest = k
		}
	}
	if len(s.m) >= maxSessions && oldest != "" {
		delete(s.m, oldest)
	}
}

func (s *sessions) get(id string) (*session, bool) {
	if id == "" {
		return nil, false
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	v, ok := s.m[key(id)]
	if ok && time.Now().After(v.expires) {
		delete(s.m, key(id))
		return nil, false
	}
	return v, ok
}

func (s *sessions) drop(id string) {
	s.mu.Lock()
	delete(s.m, key(id))
	s.mu.Unlock()
}

func (s *sessions) setFlash(v *session, msg string) {
	s.mu.Lock()
	v.flash = msg
	s.mu.Unlock()
}

func (s *sessions) takeFlash(v *session) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	f := v.flash
	v.flash = ""
	return f
}

// user is who a request is: the session and its token's principal.
type user struct {
	id string
	s  *session
	p  auth.Principal
}

// principal authenticates the session's token as the API would the same
// request's bearer token (revocation and the failure rate limit apply).
func (d *Dashboard) principal(r *http.Request) (*user, error) {
	c, err := r.Cookie(cookieName)
	if err != nil {
		return nil, auth.ErrUnauthenticated
	}
	s, ok := d.sessions.get(c.Value)
	if !ok {
		return nil, auth.ErrUnauthenticated
	}
	p, err := d.authenticate(r, s.token)
	if err != nil {
		if err == auth.ErrUnauthenticated {
			d.sessions.drop(c.Value)
		}
		return nil, err
	}
	return &user{id: c.Value, s: s, p: p}, nil
}

func (d *Dashboard) authenticate(r *http.Request, token string) (auth.Principal, error) {
	ar := r.Clone(r.Context())
	ar.Header = http.Header{"Authorization": {"Bearer " + token}}
	return d.auth.Authenticate(ar)
}

// sameOrigin refuses a POST another site made: the browser says where a
// request came from (Sec-Fetch-Site, else Origin). The session's SameSite
// cookie and CSRF token are the other two locks.
func sameOrigin(r *http.Request) bool {
	switch r.Header.Get("Sec-Fetch-Site") {
	case "same-origin", "none":
		return true
	case "":
	default:
		return false
	}
	o := r.Header.Get("Origin")
	if o == "" {
		return true // not a browser that sends either: the CSRF token decides
	}
	u, err := url.Parse(o)
	return err == nil && u.Host == r.Host
}

// checkCSRF holds a form's csrf field to the session's token.
func checkCSRF(r *http.Request, s *session) bool {
	got := r.PostFormValue("csrf")
	return got != "" && subtle.ConstantTimeCompare([]byte(got), []byte(s.csrf)) == 1
}

// maxForm bounds a form body.
const maxForm = 16 << 10

func (d *Dashboard) loginPage(w http.ResponseWriter, r *http.Request) {
	if _, err := d.principal(r); err == nil {
		http.Redirect(w, r, localPath(r.URL.Query().Get("next"), "/"), http.StatusSeeOther)
		return
	}
	d.render(w, r, http.StatusOK, "login", loginModel{Base: Base{Title: "Log in"}, Next: localPath(r.URL.Query().Get("next"), "/")})
}

func (d *Dashboard) login(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, maxForm)
	if !sameOrigin(r) {
		d.fail(w, r, nil, http.StatusForbidden, "a login from another site is refused")
		return
	}
	next := localPath(r.PostFormValue("next"), "/")
	tok := strings.TrimSpace(r.PostFormValue("token"))
	if _, err := d.authenticate(r, tok); err != nil {
		code, msg := http.StatusUnauthorized, "that token is not valid (unknown, revoked or mistyped)"
		if err == auth.ErrRateLimited {
			code, msg = http.StatusTooManyRequests, "too many failed attempts from your address: wait a minute"
		} else if err != auth.ErrUnauthenticated {
			code, msg = http.StatusServiceUnavailable, "cannot check the token now: the store is unreachable"
		}
		d.render(w, r, code, "login", loginModel{Base: Base{Title: "Log in", Flash: msg, FlashErr: true}, Next: next})
		return
	}
	id := d.sessions.create(tok)
	http.SetCookie(w, &http.Cookie{Name: cookieName, Value: id, Path: "/", HttpOnly: true, Secure: true,
		SameSite: http.SameSiteStrictMode, MaxAge: int(d.cfg.SessionTTL.Seconds())})
	http.Redirect(w, r, next, http.StatusSeeOther)
}

func (d *Dashboard) logout(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, maxForm)
	u, err := d.principal(r)
	if err == nil && (!sameOrigin(r) || !checkCSRF(r, u.s)) {
		d.fail(w, r, u, http.StatusForbidden, "the form's CSRF token is missing or wrong: reload the page and try again")
		return
	}
	if err == nil {
		d.sessions.drop(u.id)
	}
	http.SetCookie(w, &http.Cookie{Name: cookieName, Value: "", Path: "/", HttpOnly: true, Secure: true,
		SameSite: http.SameSiteStrictMode, MaxAge: -1})
	http.Redirect(w, r, "/login", http.StatusSeeOther)
}

// localPath is p if it is a path on this site, else def (no open
// redirect to another host through ?next=).
func localPath(p, def string) string {
	if !strings.HasPrefix(p, "/") || strings.HasPrefix(p, "//") || strings.HasPrefix(p, "/\\") || strings.ContainsAny(p, "\r\n") {
		return def
	}
	return p
}
