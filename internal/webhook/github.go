package webhook

import "net/http"

// GitHub signs the body with X-Hub-Signature-256: sha256=<hex HMAC-SHA256>,
// names the event in X-GitHub-Event and the delivery in X-GitHub-Delivery
// (the same GUID on a redelivery).
func handleGitHub(h http.Header, body, secret []byte) verdict {
	if !validHMAC(secret, body, h.Get("X-Hub-Signature-256"), "sha256=") {
		return verdict{outcome: unauthorized}
	}
	delivery := headerID(h, "X-GitHub-Delivery")
	switch event := headerID(h, "X-GitHub-Event"); event {
	case "ping":
		return verdict{outcome: ping, delivery: delivery}
	case "push":
	default:
		return verdict{outcome: ignored, delivery: delivery, event: event}
	}
	payload, err := formPayload(h, body)
	if err != nil {
		return verdict{outcome: badRequest, delivery: delivery, err: err}
	}
	refs, repo, err := parseGitHub(payload)
	return pushed(delivery, refs, repo, err)
}

type githubPush struct {
	Ref        string `json:"ref"`
	Repository struct {
		FullName string `json:"full_name"`
	} `json:"repository"`
}

// parseGitHub reads a GitHub push event payload.
func parseGitHub(body []byte) (refs []string, repo string, err error) {
	var p githubPush
	if err := decodeObject(body, &p); err != nil {
		return nil, "", err
	}
	return cleanRefs(p.Ref), cleanName(p.Repository.FullName), nil
}
