package cli

import (
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"strings"

	"ferry.dev/ferry/internal/api"
)

// Exit codes, the command-line contract.
const (
	ExitOK      = 0 // success
	ExitProblem = 1 // the operation ran and found a problem
	ExitUsage   = 2 // usage or configuration error
)

// UsageError marks an error as a usage or configuration error (exit 2).
type UsageError struct {
	Err error
	Try string // a hint printed as "Try: …"
}

func (e *UsageError) Error() string { return e.Err.Error() }
func (e *UsageError) Unwrap() error { return e.Err }

// ProblemError marks an error as "the operation ran and found a problem" (exit 1):
// failed checks, a blocked gate, an unhealthy environment, drift.
type ProblemError struct {
	Err error
	Try string
}

func (e *ProblemError) Error() string { return e.Err.Error() }
func (e *ProblemError) Unwrap() error { return e.Err }

// errSilentProblem reports exit 1 without printing an error line: the verb has
// already written its findings.
var errSilentProblem = errors.New("problem found")

// usageErr builds a UsageError with an optional hint.
func usageErr(try string, format string, args ...any) error {
	return &UsageError{Err: fmt.Errorf(format, args...), Try: try}
}

// hinted is implemented by errors from domain packages that know what the
// user should try next.
type hinted interface{ Hint() string }

// exitCode maps an error to the exit-code contract.
func exitCode(err error) int {
	if err == nil {
		return ExitOK
	}
	var u *UsageError
	if errors.As(err, &u) {
		return ExitUsage
	}
	var c interface{ ConfigError() bool }
	if errors.As(err, &c) && c.ConfigError() {
		return ExitUsage
	}
	return ExitProblem
}

// printError writes "Error: …" and, where known, "Try: …".
func printError(w io.Writer, err error) {
	if errors.Is(err, errSilentProblem) {
		return
	}
	msg := strings.TrimRight(err.Error(), "\n")
	fmt.Fprintf(w, "Error: %s\n", msg)
	if try := hintOf(err); try != "" {
		fmt.Fprintf(w, "Try: %s\n", try)
	}
}

func hintOf(err error) string {
	var u *UsageError
	if errors.As(err, &u) && u.Try != "" {
		return u.Try
	}
	var p *ProblemError
	if errors.As(err, &p) && p.Try != "" {
		return p.Try
	}
	var h hinted
	if errors.As(err, &h) {
		return h.Hint()
	}
	var ae *api.Error // a server's error carries the hint it would print
	if errors.As(err, &ae) {
		return ae.Hint
	}
	var ua x509.UnknownAuthorityError
	if errors.As(err, &ua) {
		return "--ca-file ca.pem (or FERRY_CA_FILE) with the CA that signed the server's certificate"
	}
	return ""
}
