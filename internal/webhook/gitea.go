package webhook

import "net/http"

// Gitea, Forgejo and Gogs sign the body with a bare hex HMAC-SHA256 in
// their own header (Forgejo sends the Gitea ones too) and send a push
// payload shaped like GitHub's.
func handleGitea(h http.Header, body, secret []byte) verdict {
	sig := firstHeader(h, "X-Forgejo-Signature", "X-Gitea-Signature", "X-Gogs-Signature")
	if !validHMAC(secret, body, sig, "") {
		return verdict{outcome: unauthorized}
	}
	delivery := headerID(h, "X-Forgejo-Delivery", "X-Gitea-Delivery", "X-Gogs-Delivery")
	if event := headerID(h, "X-Forgejo-Event", "X-Gitea-Event", "X-Gogs-Event"); event != "push" {
		return verdict{outcome: ignored, delivery: delivery, event: event}
	}
	payload, err := formPayload(h, body)
	if err != nil {
		return verdict{outcome: badRequest, delivery: delivery, err: err}
	}
	refs, repo, err := parseGitea(payload)
	return pushed(delivery, refs, repo, err)
}

// firstHeader returns the first non-empty value of names in h.
func firstHeader(h http.Header, names ...string) string {
	for _, n := range names {
		if v := h.Get(n); v != "" {
			return v
		}
	}
	return ""
}

// parseGitea reads a Gitea, Forgejo or Gogs push payload.
func parseGitea(body []byte) (refs []string, repo string, err error) {
	var p githubPush // the same fields, by design of those hosts
	if err := decodeObject(body, &p); err != nil {
		return nil, "", err
	}
	return cleanRefs(p.Ref), cleanName(p.Repository.FullName), nil
}
