package webhook

import (
	"bytes"
	"net/http"
)

// The generic sender is for anything that is not one of the hosts (a CI
// job, a script, ferry's own test hook): X-Signature: sha256=<hex
// HMAC-SHA256> over the body, an optional X-Delivery ID, and a body of
//
//	{"ref": "refs/heads/x"} or {"refs": ["refs/heads/x", ...]}
//
// optionally with "repo": NAME or "repository": {"full_name": NAME}. A body
// that names no ref at all (empty, or {}) means "something changed, check
// every lane": the Push has no Refs. A body that names refs of which none
// is valid is a bad request, not "every lane".
func handleGeneric(h http.Header, body, secret []byte) verdict {
	if !validHMAC(secret, body, h.Get("X-Signature"), "sha256=") {
		return verdict{outcome: unauthorized}
	}
	delivery := headerID(h, "X-Delivery")
	refs, repo, err := parseGeneric(body)
	if err != nil {
		return verdict{outcome: badRequest, delivery: delivery, err: err}
	}
	return verdict{outcome: accepted, delivery: delivery, refs: refs, repo: repo}
}

type genericPush struct {
	Ref        string   `json:"ref"`
	Refs       []string `json:"refs"`
	Repo       string   `json:"repo"`
	Repository struct {
		FullName string `json:"full_name"`
	} `json:"repository"`
}

// parseGeneric reads a generic sender's body; no refs and no error means
// every lane.
func parseGeneric(body []byte) (refs []string, repo string, err error) {
	if len(bytes.Trim(body, " \t\r\n")) == 0 {
		return nil, "", nil
	}
	var p genericPush
	if err := decodeObject(body, &p); err != nil {
		return nil, "", err
	}
	named := p.Refs
	if p.Ref != "" {
		named = append([]string{p.Ref}, named...)
	}
	refs = cleanRefs(named...)
	if len(named) > 0 && len(refs) == 0 {
		return nil, "", errNoValidRef
	}
	return refs, cleanName(p.Repo, p.Repository.FullName), nil
}
