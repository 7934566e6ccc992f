// Package kube applies rendered objects to one cluster the way ferry needs:
// clients from kubeconfig contexts (exec/auth-provider credential plugins
// refused unless the platform allows them; credentials never logged or put
// in errors), a server-side dry-run of every object first (every failure
// listed, nothing applied when one fails), server-side apply with field
// manager "ferry" in stages (Namespaces, CRDs and other cluster definitions
// first, waited for until established; then the rest), prune by inventory,
// health through kstatus, and field-level diffs with Secret data masked.
//
// It builds on github.com/fluxcd/pkg/ssa: ResourceManager.Diff does the
// per-object dry-run and drift decision, WaitForSetWithContext the kstatus
// wait, Delete the label-guarded prune. The apply itself is a bounded worker
// pool of server-side apply patches (the same request ssa sends), because
// ssa.ApplyAll sends its applies one at a time and ferry needs to apply
// thousands of objects quickly; only objects whose dry-run differs from the
// live object are written, so an unchanged re-sync makes no write requests.
//
// The inventory of a (env, component) pair — the IDs of the objects it
// applied — is kept in the cluster as a ConfigMap in the ferry-system
// namespace (and returned to the caller, which records it in the store).
//
// kube does not render manifests (package render) and does not decide what
// to deploy where (package deploy).
package kube
