package webhook

import "net/http"

// Bitbucket Server and Data Center sign the body with X-Hub-Signature:
// sha256=<hex HMAC-SHA256>, name the event in X-Event-Key and the request
// in X-Request-Id. "Test connection" sends diagnostics:ping, signed too.
func handleBitbucket(h http.Header, body, secret []byte) verdict {
	if !validHMAC(secret, body, h.Get("X-Hub-Signature"), "sha256=") {
		return verdict{outcome: unauthorized}
	}
	delivery := headerID(h, "X-Request-Id")
	switch event := headerID(h, "X-Event-Key"); event {
	case "diagnostics:ping":
		return verdict{outcome: ping, delivery: delivery}
	case "repo:refs_changed":
	default:
		return verdict{outcome: ignored, delivery: delivery, event: event}
	}
	refs, repo, err := parseBitbucket(body)
	return pushed(delivery, refs, repo, err)
}

type bitbucketPush struct {
	Repository struct {
		Slug    string `json:"slug"`
		Project struct {
			Key string `json:"key"`
		} `json:"project"`
	} `json:"repository"`
	Changes []struct {
		Ref struct {
			ID string `json:"id"`
		} `json:"ref"`
		RefID string `json:"refId"`
	} `json:"changes"`
}

// parseBitbucket reads a Bitbucket Server repo:refs_changed payload.
func parseBitbucket(body []byte) (refs []string, repo string, err error) {
	var p bitbucketPush
	if err := decodeObject(body, &p); err != nil {
		return nil, "", err
	}
	names := make([]string, 0, len(p.Changes))
	for _, c := range p.Changes {
		if c.Ref.ID != "" {
			names = append(names, c.Ref.ID)
		} else {
			names = append(names, c.RefID)
		}
	}
	r := p.Repository
	if r.Project.Key != "" && r.Slug != "" {
		repo = r.Project.Key + "/" + r.Slug
	}
	return cleanRefs(names...), cleanName(repo, r.Slug), nil
}
