package webhook

import (
	"errors"
	"net/http"
)

// handler verifies and reads one provider's delivery whose body was read
// within the size limit. It must check the signature over body before it
// parses any of it.
type handler func(h http.Header, body, secret []byte) verdict

// providers maps the {provider} path segment to its handler.
var providers = map[string]handler{
	"github":    handleGitHub,
	"gitlab":    handleGitLab,
	"gitea":     handleGitea,
	"bitbucket": handleBitbucket,
	"generic":   handleGeneric,
}

type outcome int

const (
	unauthorized outcome = iota // the zero verdict rejects
	badRequest
	ping
	ignored
	accepted
)

// verdict is what a handler made of a delivery.
type verdict struct {
	outcome  outcome
	delivery string // checked by headerID
	event    string // checked by headerID; for the log of an ignored event
	refs     []string
	repo     string
	err      error // why it was a bad request or ignored, for the log
}

var errNoValidRef = errors.New("no valid ref in payload")

// pushed is the verdict for a host's push event: a push that names no
// valid ref is nothing to hint about, so it is ignored rather than being
// taken as "check every lane" (only the generic sender says that).
func pushed(delivery string, refs []string, repo string, err error) verdict {
	switch {
	case err != nil:
		return verdict{outcome: badRequest, delivery: delivery, err: err}
	case len(refs) == 0:
		return verdict{outcome: ignored, delivery: delivery, event: "push", err: errNoValidRef}
	}
	return verdict{outcome: accepted, delivery: delivery, refs: refs, repo: repo}
}

// maxHeaderID bounds a delivery ID or event name; hosts send UUIDs.
const maxHeaderID = 128

// headerID returns the first non-empty value of names in h, or "" when it
// is longer than maxHeaderID or holds anything but printable ASCII (GitLab's
// event names have spaces). Headers are not signed, so the value is only good for logs and
// dedup, and must not be able to forge log lines.
func headerID(h http.Header, names ...string) string {
	for _, n := range names {
		v := h.Get(n)
		if v == "" {
			continue
		}
		if len(v) > maxHeaderID {
			return ""
		}
		for i := range len(v) {
			if v[i] < ' ' || v[i] > '~' {
				return ""
			}
		}
		return v
	}
	return ""
}
