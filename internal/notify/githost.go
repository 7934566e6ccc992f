package notify

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strings"

	"ferry.dev/ferry/internal/platform"
)

// gitHost sets a commit status on the event's revision through GitHub's,
// GitLab's or Gitea's REST API, and on GitHub optionally a deployment and
// its status.
type gitHost struct {
	c     *http.Client
	kind  string
	cfg   platform.GitHostSink
	token string
	// deployment is the GitHub deployment an earlier attempt created, so
	// a retry sets its status instead of creating another.
	deployment int64
}

func (g *gitHost) send(ctx context.Context, ev Event, _ string) error {
	if err := g.commitStatus(ctx, ev); err != nil {
		return fmt.Errorf("commit status: %w", err)
	}
	if g.kind == platform.SinkGitHub && g.cfg.Deployments && deploymentTrigger(ev.Trigger) {
		if err := g.deploymentStatus(ctx, ev); err != nil {
			return fmt.Errorf("deployment status: %w", err)
		}
	}
	return nil
}

// deploymentTrigger: the triggers that are a deployment's outcome.
func deploymentTrigger(t platform.Trigger) bool {
	return t == platform.OnDeployed || t == platform.OnDeployFailed || t == platform.OnRolledBack || t == platform.OnHealthDegraded
}

func (g *gitHost) context(ev Event) string {
	env := ev.Env
	if env == "" {
		env = "platform"
	}
	return g.cfg.Context + "/" + env
}

func (g *gitHost) api(path string) string { return strings.TrimRight(g.cfg.APIURL, "/") + path }

func (g *gitHost) headers() http.Header {
	h := http.Header{}
	switch g.kind {
	case platform.SinkGitHub:
		h.Set("Authorization", "Bearer "+g.token)
		h.Set("Accept", "application/vnd.github+json")
		h.Set("X-GitHub-Api-Version", "2022-11-28")
	case platform.SinkGitLab:
		h.Set("PRIVATE-TOKEN", g.token)
	default:
		h.Set("Authorization", "token "+g.token)
	}
	return h
}

// commitStatus: GitHub POST /repos/{owner}/{repo}/statuses/{sha} and Gitea
// the same under /api/v1 ({state, context, description}); GitLab POST
// /projects/{id}/statuses/{sha} ({state, name, description}).
func (g *gitHost) commitStatus(ctx context.Context, ev Event) error {
	sha := url.PathEscape(ev.Revision)
	o := ev.outcome()
	var path string
	body := map[string]string{"description": ev.description()}
	switch g.kind {
	case platform.SinkGitLab:
		path = "/projects/" + url.PathEscape(g.cfg.Repository) + "/statuses/" + sha
		body["state"] = [...]string{"success", "failed", "failed"}[o]
		body["name"] = g.context(ev)
	default: // github, gitea
		path = "/repos/" + g.cfg.Repository + "/statuses/" + sha
		body["state"] = [...]string{"success", "failure", "error"}[o]
		body["context"] = g.context(ev)
	}
	data, _ := json.Marshal(body)
	_, err := request(ctx, g.c, http.MethodPost, g.api(path), data, g.headers())
	return err
}

// deploymentStatus creates a GitHub deployment of the revision to the
// environment (once per delivery) and sets its status: POST
// /repos/{owner}/{repo}/deployments, then .../deployments/{id}/statuses.
func (g *gitHost) deploymentStatus(ctx context.Context, ev Event) error {
	base := "/repos/" + g.cfg.Repository + "/deployments"
	if g.deployment == 0 {
		data, _ := json.Marshal(map[string]any{"ref": ev.Revision, "environment": ev.Env, "auto_merge": false,
			"required_contexts": []string{}, "description": ev.description()})
		resp, err := request(ctx, g.c, http.MethodPost, g.api(base), data, g.headers())
		if err != nil {
			return err
		}
		var d struct {
			ID int64 `json:"id"`
		}
		if err := json.Unmarshal(resp, &d); err != nil || d.ID == 0 {
			return permanent(fmt.Errorf("create deployment: the answer has no deployment id"))
		}
		g.deployment = d.ID
	}
	state := [...]string{"success", "failure", "error"}[ev.outcome()]
	data, _ := json.Marshal(map[string]any{"state": state, "environment": ev.Env, "description": ev.description()})
	_, err := request(ctx, g.c, http.MethodPost, g.api(fmt.Sprintf("%s/%d/statuses", base, g.deployment)), data, g.headers())
	return err
}
