package dashboard

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strings"

	"ferry.dev/ferry/internal/api"
	"ferry.dev/ferry/internal/auth"
	"ferry.dev/ferry/internal/flow"
)

// form turns a dashboard form into the API request that performs it.
type form func(r *http.Request) (path string, body any)

func syncForm(r *http.Request) (string, any) {
	return "/api/v1/environments/" + url.PathEscape(r.PathValue("env")) + "/sync",
		api.SyncRequest{Ref: strings.TrimSpace(r.PostFormValue("ref")), DryRun: checked(r, "dryRun")}
}

func rollbackForm(r *http.Request) (string, any) {
	return "/api/v1/environments/" + url.PathEscape(r.PathValue("env")) + "/rollback",
		api.RollbackRequest{To: strings.TrimSpace(r.PostFormValue("to"))}
}

func approveForm(r *http.Request) (string, any) {
	return "/api/v1/lanes/" + url.PathEscape(r.PathValue("lane")) + "/approve",
		api.ApproveRequest{Revision: strings.TrimSpace(r.PostFormValue("revision")), Comment: r.PostFormValue("comment")}
}

func promoteForm(r *http.Request) (string, any) {
	return "/api/v1/lanes/" + url.PathEscape(r.PathValue("lane")) + "/promote",
		api.PromoteRequest{DryRun: checked(r, "dryRun"), Override: r.PostFormValue("override")}
}

func releaseForm(r *http.Request) (string, any) {
	return "/api/v1/release", api.ReleaseRequest{RC: checked(r, "rc"), Bump: r.PostFormValue("bump"),
		DryRun: checked(r, "dryRun"), Override: r.PostFormValue("override")}
}

func checked(r *http.Request, name string) bool {
	v := r.PostFormValue(name)
	return v == "on" || v == "true"
}

// act serves a form: the session must be valid, the request from this
// site with the session's CSRF token; then the form goes to the API as the
// session's token, so the API decides, acts and records exactly as for
// any client. A refusal is shown with the API's status (403 for a role
// that may not); success redirects with a note of what happened.
func (d *Dashboard) act(f form) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		r.Body = http.MaxBytesReader(w, r.Body, maxForm)
		u, err := d.principal(r)
		if err != nil {
			if err == auth.ErrUnauthenticated {
				d.failHint(w, r, nil, http.StatusUnauthorized, "you are not logged in (or the session ended)", "log in again at /login")
				return
			}
			d.failErr(w, r, nil, err)
			return
		}
		if !sameOrigin(r) || !checkCSRF(r, u.s) {
			d.cfg.Log.Warn("dashboard form refused: CSRF", "actor", u.p.Name, "path", r.URL.Path)
			d.fail(w, r, u, http.StatusForbidden, "the form's CSRF token is missing or wrong: reload the page and try again")
			return
		}
		path, body := f(r)
		code, resp := d.forward(r, u, path, body)
		if code >= 400 {
			var e api.Error
			if json.Unmarshal(resp, &e) != nil || e.Message == "" {
				e.Message = strings.TrimSpace(string(resp))
			}
			d.failHint(w, r, u, code, e.Message, e.Hint)
			return
		}
		d.world.invalidate()
		note, to := outcome(path, resp)
		d.sessions.setFlash(u.s, note)
		if to == "" {
			to = localPath(r.PostFormValue("back"), "/")
		}
		http.Redirect(w, r, to, http.StatusSeeOther)
	}
}

// forward makes the API request in process, as the session's token, from
// the browser's address (the API's rate limit and logs see the client).
func (d *Dashboard) forward(r *http.Request, u *user, path string, body any) (int, []byte) {
	b, _ := json.Marshal(body)
	req, err := http.NewRequestWithContext(r.Context(), http.MethodPost, path, bytes.NewReader(b))
	if err != nil {
		return http.StatusBadRequest, []byte(`{"code":"bad_request","message":"` + err.Error() + `"}`)
	}
	req.RemoteAddr, req.Host = r.RemoteAddr, r.Host
	req.Header.Set("Authorization", "Bearer "+u.s.token)
	req.Header.Set("Content-Type", "application/json")
	rec := &recorder{h: http.Header{}, code: http.StatusOK}
	d.cfg.API.ServeHTTP(rec, req)
	return rec.code, rec.buf.Bytes()
}

// recorder is the response of an in-process API call.
type recorder struct {
	h    http.Header
	code int
	buf  bytes.Buffer
	wrot bool
}

func (r *recorder) Header() http.Header { return r.h }
func (r *recorder) Write(b []byte) (int, error) {
	r.wrot = true
	return r.buf.Write(b)
}
func (r *recorder) WriteHeader(code int) {
	if !r.wrot {
		r.code, r.wrot = code, true
	}
}

// outcome words an action's result and says where to go next (a
// deployment to follow, or "" for back where the form was).
func outcome(path string, resp []byte) (note, to string) {
	switch {
	case strings.HasSuffix(path, "/sync"), strings.HasSuffix(path, "/rollback"):
		var a api.Action
		_ = json.Unmarshal(resp, &a)
		if a.Deployment != 0 {
			return fmt.Sprintf("%s of %s %s: deployment %d", a.Kind, a.Env, a.Status, a.Deployment), fmt.Sprintf("/deployments/%d", a.Deployment)
		}
		return fmt.Sprintf("%s of %s %s", a.Kind, a.Env, a.Status), ""
	case strings.HasSuffix(path, "/approve"):
		var a flow.Approval
		_ = json.Unmarshal(resp, &a)
		return fmt.Sprintf("%s approved %s for %s (%d of %d approvals)", a.Actor, short(a.Revision), a.Lane, len(a.Approvers), a.Required), ""
	case strings.HasSuffix(path, "/promote"):
		var res flow.Result
		_ = json.Unmarshal(resp, &res)
		switch {
		case res.DryRun:
			return fmt.Sprintf("dry run of the promotion to %s: allowed %v", res.To, res.Allowed), ""
		case res.Commit == "":
			return fmt.Sprintf("%s is up to date: nothing to promote", res.To), ""
		}
		return fmt.Sprintf("promoted %s into %s: commit %s", short(res.Candidate), res.To, short(res.Commit)), ""
	case strings.HasSuffix(path, "/release"):
		var res flow.ReleaseResult
		_ = json.Unmarshal(resp, &res)
		if res.DryRun {
			return fmt.Sprintf("dry run of the release: it would tag %s", res.Tag), ""
		}
		return fmt.Sprintf("released %s on %s: commit %s", res.Tag, res.To, short(res.Commit)), ""
	}
	return "done", ""
}
