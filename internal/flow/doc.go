// Package flow is ferry's branch workflow: lanes and their order, topic
// branches (start/finish), promotion planning and gates, releases (semantic
// versions from Conventional Commits, changelog, annotated tags), lane drift,
// and rollback commits. A promotion or release makes the lane's tree the
// candidate's exactly (a merge commit with both parents; releases add the
// changelog section); topic finishes are real merges. Commits are built
// without touching the user's working tree or index (commit-tree, temporary
// worktrees and indexes) and land by compare-and-swap (locally) or a
// non-force atomic push (with a remote), so a lane is always at its old or
// its new commit.
//
// It owns the decisions; package git owns the Git mechanics, package store
// the records, package platform the configuration. It does not deploy: gates
// read deployments that the deploy engine recorded in the store, and it does
// not run the check pipeline itself — it calls a Checker (the CLI passes
// check/scan's) and records the run. Approvals (Engine.Approve) are store
// events of kind "approval"; the approvals gate counts distinct approvers of
// exactly the candidate.
package flow
