// Package deploy makes one environment equal to one revision of its lane.
//
// Sync checks the revision out in a temporary worktree (package git), loads
// that revision's ferry.yaml, takes the environment's lock from the store
// (renewed while it runs, expiring if the process dies), records a
// deployment (started, then finished on every exit path), and walks the
// environment's targets in rollout order and each target's components in
// dependsOn order: Terraform components are planned, policy-checked and
// applied from the saved plan (package terraform); Kubernetes components are
// rendered (package render) and applied with dry-run, staged server-side
// apply, prune and health wait (package kube). Terraform outputs a component
// exports reach its dependants as a ConfigMap `ferry-exports-<component>`
// (non-sensitive outputs) and a Secret of the same name (sensitive ones) in
// each namespace the dependant deploys to. The first failure stops the
// rollout; with rollbackOnFailure the failed target is synced again at the
// environment's last successful revision. After a successful rollout a plan
// of every target must show no difference; that is recorded as the
// deployment's verification, which the promotion gate "verified" reads.
// Running deployments whose lock expired (a killed ferry) are marked
// aborted before a new sync starts.
//
// Plan shows what a sync would do (Terraform plan summaries and Kubernetes
// diffs) without writing anything; Status reports the deployed revision,
// health and drift per target; History lists deployments.
//
// deploy does not move lanes or make rollback commits (package flow does)
// and does not parse ferry.yaml (package platform).
package deploy
