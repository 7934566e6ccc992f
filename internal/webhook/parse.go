package webhook

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"mime"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"unicode"
)

// maxRefLen bounds a ref name; git itself allows longer, but no lane does.
const maxRefLen = 1024

// validRef reports whether ref is a full ref name that is safe to log and
// hand to git: "refs/" and more, printable, with no space, NUL or newline.
func validRef(ref string) bool {
	if len(ref) <= len("refs/") || len(ref) > maxRefLen || !strings.HasPrefix(ref, "refs/") {
		return false
	}
	return !strings.ContainsFunc(ref, func(r rune) bool {
		return r == unicode.ReplacementChar || unicode.IsSpace(r) || unicode.IsControl(r)
	})
}

// cleanRefs keeps the valid refs of in, each once, in order.
func cleanRefs(in ...string) []string {
	var out []string
	for _, r := range in {
		if validRef(r) && !slices.Contains(out, r) {
			out = append(out, r)
		}
	}
	return out
}

// maxNameLen bounds the repository name kept for logs.
const maxNameLen = 256

// cleanName returns the first of names that is short and printable, for the
// logs; "" if none is.
func cleanName(names ...string) string {
	for _, n := range names {
		if n != "" && len(n) <= maxNameLen && !strings.ContainsFunc(n, unicode.IsControl) {
			return n
		}
	}
	return ""
}

var errNotObject = errors.New("payload is not a JSON object")

// decodeObject decodes body, which must be one JSON object, into v.
func decodeObject(body []byte, v any) error {
	if t := bytes.TrimLeft(body, " \t\r\n"); len(t) == 0 || t[0] != '{' {
		return errNotObject
	}
	if err := json.Unmarshal(body, v); err != nil {
		return fmt.Errorf("decode payload: %w", err)
	}
	return nil
}

// formPayload returns the JSON of a delivery: the body itself, or its
// "payload" field when the host was set to send form-encoded bodies (GitHub
// and Gitea offer both). Call it only on a body whose signature verified.
func formPayload(h http.Header, body []byte) ([]byte, error) {
	mt, _, err := mime.ParseMediaType(h.Get("Content-Type"))
	if err != nil || mt != "application/x-www-form-urlencoded" {
		return body, nil
	}
	form, err := url.ParseQuery(string(body))
	if err != nil {
		return nil, fmt.Errorf("decode form body: %w", err)
	}
	p := form.Get("payload")
	if p == "" {
		return nil, errors.New("decode form body: no payload field")
	}
	return []byte(p), nil
}
