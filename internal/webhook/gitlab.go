package webhook

import "net/http"

// GitLab sends the secret itself in X-Gitlab-Token. A push says so in
// X-Gitlab-Event ("Push Hook", "Tag Push Hook") and in the body's
// object_kind; system hooks only in the latter. Idempotency-Key stays the
// same across retries of a delivery, so it is preferred to
// X-Gitlab-Event-UUID, which older GitLab versions send alone.
func handleGitLab(h http.Header, body, secret []byte) verdict {
	if !validToken(secret, h.Get("X-Gitlab-Token")) {
		return verdict{outcome: unauthorized}
	}
	delivery := headerID(h, "Idempotency-Key", "X-Gitlab-Event-UUID")
	var p gitlabPush
	if err := decodeObject(body, &p); err != nil {
		return verdict{outcome: badRequest, delivery: delivery, err: err}
	}
	event := headerID(h, "X-Gitlab-Event")
	switch {
	case event == "Push Hook", event == "Tag Push Hook":
	case p.ObjectKind == "push", p.ObjectKind == "tag_push":
	default:
		return verdict{outcome: ignored, delivery: delivery, event: event}
	}
	refs, repo := p.refs()
	return pushed(delivery, refs, repo, nil)
}

type gitlabPush struct {
	ObjectKind string `json:"object_kind"`
	Ref        string `json:"ref"`
	Project    struct {
		PathWithNamespace string `json:"path_with_namespace"`
	} `json:"project"`
	Repository struct {
		Name string `json:"name"`
	} `json:"repository"`
}

func (p *gitlabPush) refs() (refs []string, repo string) {
	return cleanRefs(p.Ref), cleanName(p.Project.PathWithNamespace, p.Repository.Name)
}

// parseGitLab reads a GitLab push or tag push event payload.
func parseGitLab(body []byte) (refs []string, repo string, err error) {
	var p gitlabPush
	if err := decodeObject(body, &p); err != nil {
		return nil, "", err
	}
	refs, repo = p.refs()
	return refs, repo, nil
}
