package server

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"net/http"
	"sync"

	"ferry.dev/ferry/internal/agent"
	"ferry.dev/ferry/internal/catalog"
	"ferry.dev/ferry/internal/git"
)

// catalogServer answers GET /api/v1/catalog: `ferry catalog` of the first
// lane's head as the mirror has it, YAML, for a Backstage URL location.
// It is built once per head (rendering needs a checkout) and carries an
// ETag, so Backstage's refreshes of an unchanged head cost a 304.
type catalogServer struct {
	agent *agent.Agent

	mu   sync.Mutex
	rev  string
	body []byte
	etag string
}

func (s *catalogServer) serve(w http.ResponseWriter, r *http.Request) {
	body, etag, err := s.get(r.Context())
	if err != nil {
		writeJSON(w, http.StatusServiceUnavailable, apiError{Code: "not_ready", Message: "build the catalog: " + err.Error(),
			Hint: "GET /readyz says when the mirror is fetched; ferry catalog in a clone shows the same problem"})
		return
	}
	w.Header().Set("ETag", etag)
	w.Header().Set("Cache-Control", "no-cache")
	if r.Header.Get("If-None-Match") == etag {
		w.WriteHeader(http.StatusNotModified)
		return
	}
	w.Header().Set("Content-Type", "application/yaml")
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write(body)
}

func (s *catalogServer) get(ctx context.Context) ([]byte, string, error) {
	if s.agent == nil {
		return nil, "", errors.New("no platform is loaded")
	}
	m := s.agent.Mirror()
	p, err := m.FirstLanePlatform(ctx)
	if err != nil {
		return nil, "", err
	}
	head, err := m.Head(ctx, p.LaneNames()[0])
	if err != nil {
		return nil, "", err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.rev == head {
		return s.body, s.etag, nil
	}
	web, _, err := m.Repo.RemoteWebURL(ctx, "origin")
	if err != nil {
		return nil, "", err
	}
	var body []byte
	err = m.Repo.WithWorktree(ctx, head, func(wt *git.Worktree) error {
		es, err := catalog.Entities(p, catalog.Options{Root: wt.Dir, RepoURL: web})
		if err != nil {
			return err
		}
		body, err = catalog.Marshal(es)
		return err
	})
	if err != nil {
		return nil, "", err
	}
	sum := sha256.Sum256(body)
	s.rev, s.body, s.etag = head, body, `"`+hex.EncodeToString(sum[:16])+`"`
	return s.body, s.etag, nil
}
