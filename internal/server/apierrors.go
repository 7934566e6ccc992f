package server

import (
	"encoding/json"
	"errors"
	"net/http"

	"ferry.dev/ferry/internal/api"
	"ferry.dev/ferry/internal/auth"
	"ferry.dev/ferry/internal/deploy"
	"ferry.dev/ferry/internal/flow"
	"ferry.dev/ferry/internal/git"
	"ferry.dev/ferry/internal/store"
	"ferry.dev/ferry/internal/view"
)

// apiError is the JSON body of every /api/v1 error.
type apiError = api.Error

// errorOf maps an error of the use cases to its stable code, with the
// message and the hint the command line would print. Errors never carry
// secrets (ferry's errors are written not to), so the message is the
// error's own.
func errorOf(err error) *api.Error {
	var (
		bad       *api.BadRequestError
		forbidden *auth.ForbiddenError
		unknown   *view.UnknownError
		badToken  *auth.InvalidTokenError
		env       *deploy.UnknownEnvError
		lane      *flow.UnknownLaneError
		tag       *flow.UnknownTagError
		gate      *flow.GateError
		exists    *flow.TagExistsError
		nothing   *flow.NothingToReleaseError
		apiErr    *api.Error
		config    interface{ ConfigError() bool }
	)
	code := api.CodeInternal
	switch {
	case errors.As(err, &apiErr):
		return apiErr
	case errors.As(err, &bad), errors.As(err, &badToken):
		code = api.CodeBadRequest
	case errors.Is(err, auth.ErrRateLimited):
		return &api.Error{Code: api.CodeRateLimited, Message: err.Error(),
			Hint: "wait a minute: failed authentications from this address are limited"}
	case errors.Is(err, auth.ErrUnauthenticated):
		return &api.Error{Code: api.CodeUnauthenticated, Message: err.Error(),
			Hint: "send Authorization: Bearer TOKEN, a token of ferry token create"}
	case errors.As(err, &forbidden):
		code = api.CodeForbidden
	case errors.As(err, &unknown) && unknown.What == "environment", errors.As(err, &env):
		code = api.CodeUnknownEnv
	case errors.As(err, &unknown) && unknown.What == "lane":
		code = api.CodeUnknownLane
	case errors.As(err, &unknown), errors.Is(err, store.ErrNotFound):
		code = api.CodeNotFound
	case errors.As(err, &lane):
		code = api.CodeUnknownLane
		if lane.What == "environment" {
			code = api.CodeUnknownEnv
		}
	case errors.As(err, &tag):
		code = api.CodeUnknownTag
	case errors.As(err, &gate):
		code = api.CodeGateBlocked
	case errors.Is(err, store.ErrExists):
		code = api.CodeConflict
	case errors.Is(err, store.ErrLocked):
		code = api.CodeLocked
	case errors.As(err, &exists), errors.Is(err, git.ErrNonFastForward), errors.Is(err, git.ErrConflict):
		code = api.CodeConflict
	case errors.As(err, &nothing):
		code = api.CodeNothingToRelease
	case errors.Is(err, errNotReady):
		return &api.Error{Code: api.CodeNotReady, Message: "load ferry.yaml: " + err.Error(),
			Hint: "GET /readyz says when the mirror is fetched"}
	case errors.As(err, &config) && config.ConfigError():
		code = api.CodeConfig
	}
	return &api.Error{Code: code, Message: err.Error(), Hint: hintOf(err)}
}

func hintOf(err error) string {
	var h interface{ Hint() string }
	if errors.As(err, &h) {
		return h.Hint()
	}
	return ""
}

// writeError writes err's JSON body with its status; result, when not
// nil, is the operation's report (a blocked promotion's gates).
func (s *apiServer) writeError(w http.ResponseWriter, r *http.Request, err error, result any) {
	e := *errorOf(err)
	if result != nil {
		e.Result, _ = json.Marshal(result)
	}
	status := api.StatusOf(e.Code)
	if status == http.StatusInternalServerError {
		s.log.Error("api", "method", r.Method, "path", r.URL.Path, "error", err.Error())
	}
	writeJSON(w, status, e)
}
