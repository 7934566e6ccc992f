// Package scaffold makes a new platform repository from the reference
// platform embedded in the binary (examples/platform): Write copies the tree
// into a directory without ever touching anything outside it, and InitRepo
// turns that directory into a Git repository with a first commit, one branch
// per lane of its ferry.yaml and an annotated first version tag.
//
// It owns writing and initialising only. The reference content belongs to
// examples/platform, the ferry.yaml model to internal/platform and Git
// plumbing to internal/git.
package scaffold
