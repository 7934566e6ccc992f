// Package cli builds ferry's cobra command tree: one file per verb, each an
// options struct with addFlags / validate / run. Streams are injected so the
// verbs run in-process in tests. It owns flag parsing, output formatting and
// the mapping of errors to exit codes; it owns no domain logic.
package cli
