package server

import (
	"net/http"

	"ferry.dev/ferry/internal/api"
	"ferry.dev/ferry/internal/auth"
	"ferry.dev/ferry/internal/store"
	"ferry.dev/ferry/internal/view"
)

// TokensPage is GET /api/v1/tokens: every token record, never a token.
type TokensPage struct {
	Tokens []store.Token `json:"tokens"`
}

// allowTokens: managing tokens needs an unscoped admin.
func (s *apiServer) allowTokens(w http.ResponseWriter, r *http.Request) bool {
	if err := auth.Allow(principalOf(r), auth.Tokens, auth.Target{}); err != nil {
		s.log.Warn("api action refused", "actor", principalOf(r).Name, "action", string(auth.Tokens), "why", err.Error())
		s.writeError(w, r, err, nil)
		return false
	}
	return true
}

func (s *apiServer) listTokens(w http.ResponseWriter, r *http.Request) {
	if !s.allowTokens(w, r) {
		return
	}
	ts, err := s.store.Tokens(r.Context())
	if err != nil {
		s.writeError(w, r, err, nil)
		return
	}
	writeJSON(w, http.StatusOK, TokensPage{Tokens: nonNil(ts)})
}

// createToken is POST /api/v1/tokens: 201 with the token, shown once.
func (s *apiServer) createToken(w http.ResponseWriter, r *http.Request) {
	if !s.allowTokens(w, r) {
		return
	}
	req, err := api.Decode[api.TokenRequest](r.Body)
	if err == nil {
		err = s.knownEnvs(r, req.Envs)
	}
	var t store.Token
	var tok string
	if err == nil {
		t, tok, err = auth.Create(r.Context(), s.store, req.Name, req.Role, req.Envs, principalOf(r).Name)
	}
	if err != nil {
		s.writeError(w, r, err, nil)
		return
	}
	writeJSON(w, http.StatusCreated, api.CreatedToken{ID: t.ID, Name: t.Name, Role: t.Role, Envs: t.Envs, CreatedAt: t.CreatedAt, Token: tok})
}

// knownEnvs checks that every environment of a scope is in ferry.yaml.
func (s *apiServer) knownEnvs(r *http.Request, envs []string) error {
	src, err := s.source(r.Context())
	if err != nil {
		return err
	}
	for _, e := range envs {
		if _, ok := src.P.Env(e); !ok {
			return &view.UnknownError{What: "environment", Name: e}
		}
	}
	return nil
}

// revokeToken is DELETE /api/v1/tokens/{name}.
func (s *apiServer) revokeToken(w http.ResponseWriter, r *http.Request) {
	if !s.allowTokens(w, r) {
		return
	}
	name := r.PathValue("name")
	if err := auth.Revoke(r.Context(), s.store, name, principalOf(r).Name); err != nil {
		s.writeError(w, r, err, nil)
		return
	}
	writeJSON(w, http.StatusOK, map[string]string{"revoked": name})
}
