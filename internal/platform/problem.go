package platform

import (
	"errors"
	"fmt"
	"strings"
)

// Problem is one thing wrong with a ferry.yaml, located by file, line,
// column and field path (e.g. "spec.environments[1].lane").
type Problem struct {
	File   string `json:"file"`
	Line   int    `json:"line,omitempty"`
	Column int    `json:"column,omitempty"`
	Path   string `json:"path,omitempty"`
	Msg    string `json:"message"`
}

// Error formats the problem as "file:line: path: message".
func (p Problem) Error() string {
	var b strings.Builder
	b.WriteString(p.File)
	if p.Line > 0 {
		fmt.Fprintf(&b, ":%d", p.Line)
	}
	b.WriteString(": ")
	if p.Path != "" {
		b.WriteString(p.Path)
		b.WriteString(": ")
	}
	b.WriteString(p.Msg)
	return b.String()
}

// ConfigError holds every problem found in a ferry.yaml. The CLI maps it to
// exit code 2 through ConfigError(); errors.Is/As see each Problem through
// Unwrap, as with errors.Join.
type ConfigError struct {
	Problems []Problem
}

// Error prints one problem per line.
func (e *ConfigError) Error() string {
	lines := make([]string, len(e.Problems))
	for i, p := range e.Problems {
		lines[i] = p.Error()
	}
	return strings.Join(lines, "\n")
}

// ConfigError marks this as a configuration error (exit 2).
func (e *ConfigError) ConfigError() bool { return true }

// Unwrap exposes each problem, so errors.As(err, &platform.Problem{}) works.
func (e *ConfigError) Unwrap() []error {
	errs := make([]error, len(e.Problems))
	for i, p := range e.Problems {
		errs[i] = p
	}
	return errs
}

// ErrNoConfig is the sentinel for a repository without a ferry.yaml; test
// with errors.Is(err, platform.ErrNoConfig).
var ErrNoConfig = errors.New("no ferry.yaml")

// LoadError is a failure to read ferry.yaml at all (missing, unreadable).
type LoadError struct {
	Path string // the file ferry tried to read
	Err  error
}

func (e *LoadError) Error() string { return fmt.Sprintf("load %s: %v", e.Path, e.Err) }
func (e *LoadError) Unwrap() error { return e.Err }

// ConfigError marks this as a configuration error (exit 2).
func (e *LoadError) ConfigError() bool { return true }

// Hint says what to try when ferry.yaml is missing.
func (e *LoadError) Hint() string {
	if errors.Is(e.Err, ErrNoConfig) {
		return "ferry --repo DIR (a platform repository with ferry.yaml), or ferry init DIR"
	}
	return ""
}
