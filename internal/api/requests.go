package api

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"
	"unicode/utf8"
)

// MaxBody bounds every request body.
const MaxBody = 64 << 10

// SyncRequest is POST /api/v1/environments/{env}/sync.
type SyncRequest struct {
	// Ref is the revision to deploy (default: the environment's lane head).
	Ref string `json:"ref,omitempty"`
	// DryRun plans and writes nothing (ferry sync --dry-run).
	DryRun bool `json:"dryRun,omitempty"`
}

// PromoteRequest is POST /api/v1/lanes/{lane}/promote.
type PromoteRequest struct {
	DryRun bool `json:"dryRun,omitempty"`
	// Override is a break-glass reason: failed gates are recorded as
	// overridden (admin only).
	Override string `json:"override,omitempty"`
	// Ref is the break-glass candidate (needs Override).
	Ref string `json:"ref,omitempty"`
}

// ApproveRequest is POST /api/v1/lanes/{lane}/approve.
type ApproveRequest struct {
	Revision string `json:"revision,omitempty"` // default: the promotion's candidate
	Comment  string `json:"comment,omitempty"`
}

// ReleaseRequest is POST /api/v1/release.
type ReleaseRequest struct {
	RC       bool   `json:"rc,omitempty"`
	Bump     string `json:"bump,omitempty"` // auto (default), major, minor, patch
	DryRun   bool   `json:"dryRun,omitempty"`
	Override string `json:"override,omitempty"`
}

// RollbackRequest is POST /api/v1/environments/{env}/rollback.
type RollbackRequest struct {
	To     string `json:"to"`               // the version tag (required)
	NoSync bool   `json:"noSync,omitempty"` // only make the rollback commit
}

// BadRequestError: the body or a parameter is invalid; Message says how.
type BadRequestError struct{ Msg string }

func (e *BadRequestError) Error() string { return e.Msg }

func badf(format string, args ...any) error {
	return &BadRequestError{Msg: fmt.Sprintf(format, args...)}
}

// maxField bounds the length of any string field.
const maxField = 1024

// Decode reads one JSON object of type T from r strictly: at most MaxBody
// bytes, no unknown fields, nothing after it, then validated. An empty
// body is the zero request. Every failure is a *BadRequestError.
func Decode[T any, P interface {
	*T
	Validate() error
}](r io.Reader) (T, error) {
	var v T
	data, err := io.ReadAll(io.LimitReader(r, MaxBody+1))
	if err != nil {
		return v, badf("read body: %v", err)
	}
	if len(data) > MaxBody {
		return v, badf("body is larger than %d bytes", MaxBody)
	}
	trimmed := bytes.TrimSpace(data)
	if bytes.Equal(trimmed, []byte("null")) {
		return v, badf("body must be a JSON object (or empty)")
	}
	if len(trimmed) > 0 {
		dec := json.NewDecoder(bytes.NewReader(data))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&v); err != nil {
			return v, badf("body is not a valid request: %s", jsonProblem(err))
		}
		if dec.More() {
			return v, badf("body has data after the JSON object")
		}
		if _, err := dec.Token(); !errors.Is(err, io.EOF) {
			return v, badf("body has data after the JSON object")
		}
	}
	if err := P(&v).Validate(); err != nil {
		return v, err
	}
	return v, nil
}

// jsonProblem words a decoding error for a person.
func jsonProblem(err error) string {
	var te *json.UnmarshalTypeError
	var se *json.SyntaxError
	switch {
	case errors.As(err, &te):
		if te.Field != "" {
			return fmt.Sprintf("field %q must be a %s", te.Field, te.Type)
		}
		return "it must be a JSON object"
	case errors.As(err, &se):
		return fmt.Sprintf("malformed JSON at byte %d", se.Offset)
	case errors.Is(err, io.ErrUnexpectedEOF):
		return "truncated JSON"
	}
	return strings.TrimPrefix(err.Error(), "json: ")
}

// text checks a free-text field: bounded, valid UTF-8, no control
// characters but newlines and tabs.
func text(name, s string) error {
	if len(s) > maxField {
		return badf("%s is longer than %d bytes", name, maxField)
	}
	if !utf8.ValidString(s) {
		return badf("%s is not valid UTF-8", name)
	}
	for _, r := range s {
		if r < 0x20 && r != '\n' && r != '\t' || r == 0x7f {
			return badf("%s holds a control character", name)
		}
	}
	return nil
}

// revision checks a revision or tag name: one line, no leading '-' (it
// would read as an option of git).
func revision(name, s string) error {
	if err := text(name, s); err != nil {
		return err
	}
	if strings.HasPrefix(s, "-") || strings.ContainsAny(s, " \t\n") {
		return badf("%s %q is not a revision", name, s)
	}
	return nil
}

func override(s string) error {
	if err := text("override", s); err != nil {
		return err
	}
	if s != "" && strings.TrimSpace(s) == "" {
		return badf("override needs a reason")
	}
	return nil
}

// Validate checks a sync request.
func (r *SyncRequest) Validate() error { return revision("ref", r.Ref) }

// Validate checks a promotion request.
func (r *PromoteRequest) Validate() error {
	if r.Ref != "" && r.Override == "" {
		return badf("ref needs override: it picks the candidate past the deployed gate")
	}
	return errors.Join(override(r.Override), revision("ref", r.Ref))
}

// Validate checks an approval.
func (r *ApproveRequest) Validate() error {
	return errors.Join(revision("revision", r.Revision), text("comment", r.Comment))
}

// Validate checks a release request.
func (r *ReleaseRequest) Validate() error {
	switch r.Bump {
	case "", "auto", "major", "minor", "patch":
	default:
		return badf("bump %q must be auto, major, minor or patch", r.Bump)
	}
	return override(r.Override)
}

// Validate checks a rollback request.
func (r *RollbackRequest) Validate() error {
	if r.To == "" {
		return badf("to (the version tag to roll back to) is required")
	}
	return revision("to", r.To)
}

// TokenRequest is POST /api/v1/tokens (admin).
type TokenRequest struct {
	Name string   `json:"name"`
	Role string   `json:"role"`
	Envs []string `json:"envs,omitempty"`
}

// Validate checks a token request's shape (package auth checks the name
// and role, the server the environments).
func (r *TokenRequest) Validate() error {
	if r.Name == "" || r.Role == "" {
		return badf("name and role are required")
	}
	if len(r.Envs) > 100 {
		return badf("envs lists more than 100 environments")
	}
	for _, e := range r.Envs {
		if err := text("envs", e); err != nil {
			return err
		}
	}
	return errors.Join(text("name", r.Name), text("role", r.Role))
}

// CreatedToken is the answer of POST /api/v1/tokens: the only time the
// token is shown.
type CreatedToken struct {
	ID        int64     `json:"id"`
	Name      string    `json:"name"`
	Role      string    `json:"role"`
	Envs      []string  `json:"envs,omitempty"`
	CreatedAt time.Time `json:"createdAt"`
	Token     string    `json:"token"`
}
