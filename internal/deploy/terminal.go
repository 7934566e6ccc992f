package deploy

import "errors"

// TerminalError is a failure that retrying the same revision cannot fix:
// ferry.yaml at the revision does not load, a component does not render,
// a policy denies a plan. The agent stops retrying such a revision until
// the lane moves (Flux's reconcile.TerminalError, Kargo's
// promotion.TerminalError); anything else (a cluster or backend that is
// down, a lost lock, a rollout that timed out) is transient and retried
// with backoff.
type TerminalError struct{ Err error }

func (e *TerminalError) Error() string  { return e.Err.Error() }
func (e *TerminalError) Unwrap() error  { return e.Err }
func (e *TerminalError) Terminal() bool { return true }

// Terminal wraps err as terminal (nil stays nil).
func Terminal(err error) error {
	if err == nil || IsTerminal(err) {
		return err
	}
	return &TerminalError{Err: err}
}

// IsTerminal reports whether err must not be retried at the same revision:
// it is or wraps an error with Terminal() true, a configuration error
// (ConfigError() true, e.g. a bad ferry.yaml or an unknown environment) or
// a policy denial.
func IsTerminal(err error) bool {
	if err == nil {
		return false
	}
	var t interface{ Terminal() bool }
	if errors.As(err, &t) && t.Terminal() {
		return true
	}
	var c interface{ ConfigError() bool }
	if errors.As(err, &c) && c.ConfigError() {
		return true
	}
	return errors.Is(err, ErrPolicyDenied)
}
