// Package git drives Git through the git CLI for ferry: opening and
// initialising repositories, running git with an argument array (never a
// shell), validating user-supplied ref names so they can never be read as
// options, temporary worktrees for every write, merges with conflict
// detection, compare-and-swap ref updates, pushes that never force, annotated
// tags, and log parsing with trailers.
//
// It owns the mechanics of Git only. It does not know about lanes, gates,
// versions or the store: that is package flow.
package git
