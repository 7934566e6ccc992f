package dashboard

import (
	"net/http"
)

// live is the pages' event stream: the API's /api/v1/events/stream as the
// session's token (an EventSource cannot send a bearer token, and the
// token never reaches the browser).
func (d *Dashboard) live(w http.ResponseWriter, r *http.Request) {
	u, err := d.principal(r)
	if err != nil {
		http.Error(w, "log in first", http.StatusUnauthorized)
		return
	}
	req := r.Clone(r.Context())
	req.URL.Path, req.URL.RawPath, req.URL.RawQuery = "/api/v1/events/stream", "", ""
	req.RequestURI = req.URL.RequestURI()
	req.Header = http.Header{"Authorization": {"Bearer " + u.s.token}}
	if id := r.Header.Get("Last-Event-ID"); id != "" {
		req.Header.Set("Last-Event-ID", id)
	}
	d.cfg.API.ServeHTTP(w, req)
}
