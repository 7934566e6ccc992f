package api

import (
	"encoding/json"
	"net/http"
)

// Error codes: stable, what scripts branch on.
const (
	CodeUnauthenticated  = "unauthenticated"    // 401: no valid token
	CodeRateLimited      = "rate_limited"       // 429: too many failed authentications
	CodeForbidden        = "forbidden"          // 403: the token's role or scope does not allow it
	CodeBadRequest       = "bad_request"        // 400: the request body or query is invalid
	CodeNotFound         = "not_found"          // 404: no such record or route
	CodeUnknownEnv       = "unknown_env"        // 404: no such environment in ferry.yaml
	CodeUnknownLane      = "unknown_lane"       // 404: no such lane (or no promotion into it)
	CodeUnknownTag       = "unknown_tag"        // 404: no such version tag
	CodeGateBlocked      = "gate_blocked"       // 409: a promotion's or release's gates refused
	CodeLocked           = "locked"             // 409: the environment is being deployed
	CodeConflict         = "conflict"           // 409: a lane moved, a tag exists
	CodeNothingToRelease = "nothing_to_release" // 409: no commits since the last version
	CodeConfig           = "config"             // 422: ferry.yaml or a setting refuses the operation
	CodeFailed           = "failed"             // 422: the operation ran and failed (a sync)
	CodeNotReady         = "not_ready"          // 503: the mirror is not fetched yet
	CodeInternal         = "internal"           // 500: see the server's log
)

// Error is the body of every error response. Result, when present, is the
// operation's own report (a blocked promotion's gates), as the command line
// prints it before its error.
type Error struct {
	Code    string          `json:"code"`
	Message string          `json:"message"`
	Hint    string          `json:"hint,omitempty"`
	Result  json.RawMessage `json:"result,omitempty"`
	// Status is the HTTP status it came with (client side only).
	Status int `json:"-"`
}

func (e *Error) Error() string { return e.Message }

// ConfigError says whether the command line exits 2 (usage or
// configuration) on it, as it does for the same error made locally.
func (e *Error) ConfigError() bool {
	switch e.Code {
	case CodeBadRequest, CodeUnknownEnv, CodeUnknownLane, CodeUnknownTag, CodeConfig, CodeUnauthenticated, CodeForbidden,
		CodeNotFound:
		return true
	}
	return false
}

// StatusOf is the HTTP status of a code.
func StatusOf(code string) int {
	switch code {
	case CodeUnauthenticated:
		return http.StatusUnauthorized
	case CodeRateLimited:
		return http.StatusTooManyRequests
	case CodeForbidden:
		return http.StatusForbidden
	case CodeBadRequest:
		return http.StatusBadRequest
	case CodeNotFound, CodeUnknownEnv, CodeUnknownLane, CodeUnknownTag:
		return http.StatusNotFound
	case CodeGateBlocked, CodeLocked, CodeConflict, CodeNothingToRelease:
		return http.StatusConflict
	case CodeConfig, CodeFailed:
		return http.StatusUnprocessableEntity
	case CodeNotReady:
		return http.StatusServiceUnavailable
	}
	return http.StatusInternalServerError
}
