package dashboard

import (
	"bytes"
	"errors"
	"net/http"
	"net/url"
	"strconv"

	"ferry.dev/ferry/internal/auth"
	"ferry.dev/ferry/internal/store"
	"ferry.dev/ferry/internal/view"
)

// page builds a page's model for u; it returns the template name.
type page func(r *http.Request, u *user) (name string, model any, err error)

// read serves a page to a logged-in user; anyone else is sent to log in.
func (d *Dashboard) read(p page) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		u, err := d.principal(r)
		if err != nil {
			if err == auth.ErrUnauthenticated {
				http.Redirect(w, r, "/login?next="+url.QueryEscape(r.URL.RequestURI()), http.StatusSeeOther)
				return
			}
			d.failErr(w, r, nil, err)
			return
		}
		name, model, err := p(r, u)
		if err != nil {
			d.failErr(w, r, u, err)
			return
		}
		d.render(w, r, http.StatusOK, name, d.dress(model, r, u))
	}
}

// based is a page model with a Base.
type based interface{ base() *Base }

func (b *Base) base() *Base { return b }

// dress fills the Base of a model: the user, the CSRF token, the flash.
func (d *Dashboard) dress(model any, r *http.Request, u *user) any {
	if b, ok := model.(based); ok {
		bb := b.base()
		bb.User, bb.CSRF, bb.Path = userOf(u.p), u.s.csrf, r.URL.RequestURI()
		if f := d.sessions.takeFlash(u.s); f != "" {
			bb.Flash = f
		}
	}
	return model
}

func (d *Dashboard) pipelinePage(r *http.Request, _ *user) (string, any, error) {
	w, err := d.world.get(r.Context())
	if err != nil {
		return "", nil, err
	}
	m, err := PipelineOf(r.Context(), w, d.cfg.Store)
	return "pipeline", &m, err
}

func (d *Dashboard) environmentPage(r *http.Request, u *user) (string, any, error) {
	w, err := d.world.get(r.Context())
	if err != nil {
		return "", nil, err
	}
	m, err := EnvironmentOf(r.Context(), w, d.cfg.Store, r.PathValue("env"), u.p)
	return "environment", &m, err
}

func (d *Dashboard) deploymentPage(r *http.Request, _ *user) (string, any, error) {
	id, err := idParam(r.PathValue("id"))
	if err != nil {
		return "", nil, err
	}
	m, err := DeploymentOf(r.Context(), d.cfg.Store, id, d.platformName(r))
	return "deployment", &m, err
}

func (d *Dashboard) promotionPage(r *http.Request, u *user) (string, any, error) {
	w, err := d.world.get(r.Context())
	if err != nil {
		return "", nil, err
	}
	var move int64
	if v := r.URL.Query().Get("move"); v != "" {
		if move, err = idParam(v); err != nil {
			return "", nil, err
		}
	}
	m, err := PromotionOf(r.Context(), w, d.cfg.Store, r.PathValue("lane"), move, u.p)
	return "promotion", &m, err
}

func (d *Dashboard) checksPage(r *http.Request, _ *user) (string, any, error) {
	before, err := cursor(r)
	if err != nil {
		return "", nil, err
	}
	m, err := ChecksOf(r.Context(), d.cfg.Store, r.URL.Query().Get("revision"), before, d.platformName(r))
	return "checks", &m, err
}

func (d *Dashboard) checkPage(r *http.Request, _ *user) (string, any, error) {
	id, err := idParam(r.PathValue("id"))
	if err != nil {
		return "", nil, err
	}
	m, err := CheckOf(r.Context(), d.cfg.Store, id, d.platformName(r))
	return "check", &m, err
}

func (d *Dashboard) rulesPage(r *http.Request, _ *user) (string, any, error) {
	m, err := RulesOf(d.platformName(r))
	return "rules", &m, err
}

func (d *Dashboard) eventsPage(r *http.Request, _ *user) (string, any, error) {
	before, err := cursor(r)
	if err != nil {
		return "", nil, err
	}
	q := r.URL.Query()
	m, err := EventsOf(r.Context(), d.cfg.Store, q.Get("kind"), q.Get("env"), before, d.platformName(r))
	return "events", &m, err
}

// platformName is the platform's name for the header ("" before the first
// look at the lanes).
func (d *Dashboard) platformName(r *http.Request) string {
	if w, err := d.world.get(r.Context()); err == nil {
		return w.P.Metadata.Name
	}
	return ""
}

// badRequest is a malformed parameter.
type badRequest struct{ msg string }

func (e *badRequest) Error() string { return e.msg }

func idParam(s string) (int64, error) {
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil || n < 1 {
		return 0, &badRequest{"the ID must be a positive number"}
	}
	return n, nil
}

func cursor(r *http.Request) (int64, error) {
	v := r.URL.Query().Get("before")
	if v == "" {
		return 0, nil
	}
	return idParam(v)
}

// failErr renders the page of an error: its status by kind.
func (d *Dashboard) failErr(w http.ResponseWriter, r *http.Request, u *user, err error) {
	var unknown *view.UnknownError
	var bad *badRequest
	var forbidden *auth.ForbiddenError
	switch {
	case errors.As(err, &unknown), errors.Is(err, store.ErrNotFound):
		d.fail(w, r, u, http.StatusNotFound, err.Error())
	case errors.As(err, &bad):
		d.fail(w, r, u, http.StatusBadRequest, err.Error())
	case errors.As(err, &forbidden):
		d.fail(w, r, u, http.StatusForbidden, err.Error())
	case errors.Is(err, auth.ErrRateLimited):
		d.fail(w, r, u, http.StatusTooManyRequests, err.Error())
	default:
		d.cfg.Log.Error("dashboard page", "path", r.URL.Path, "error", err.Error())
		d.fail(w, r, u, http.StatusInternalServerError, "the page could not be built: "+err.Error())
	}
}

// fail renders an error page with code.
func (d *Dashboard) fail(w http.ResponseWriter, r *http.Request, u *user, code int, msg string) {
	d.failHint(w, r, u, code, msg, "")
}

func (d *Dashboard) failHint(w http.ResponseWriter, r *http.Request, u *user, code int, msg, hint string) {
	m := &errorModel{Base: Base{Title: http.StatusText(code)}, Code: code, Message: msg, Hint: hint}
	if u != nil {
		d.dress(m, r, u)
	}
	d.render(w, r, code, "error", m)
}

// render executes a page into a buffer first, so a template error is a
// 500, not half a page.
func (d *Dashboard) render(w http.ResponseWriter, r *http.Request, code int, name string, model any) {
	var buf bytes.Buffer
	if err := pages.ExecuteTemplate(&buf, name, model); err != nil {
		d.cfg.Log.Error("dashboard render", "page", name, "error", err.Error())
		http.Error(w, "the page could not be rendered", http.StatusInternalServerError)
		return
	}
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Cache-Control", "no-store")
	w.WriteHeader(code)
	_, _ = w.Write(buf.Bytes())
}
