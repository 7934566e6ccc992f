// Package gitflow holds the workflow compliance rules: Conventional Commit
// messages on the range being merged (FERRY-CMP-060) and topic-branch names
// that follow ferry.yaml's topics (FERRY-CMP-061). It reads history through
// internal/git and judges it; it does not merge, promote or tag.
package gitflow
