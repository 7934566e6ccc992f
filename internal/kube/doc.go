// Package kube applies rendered objects to one cluster the way ferry needs:
// clients from kubeconfig contexts (exec/auth-provider credential plugins
// refused unless the platform allows them; credentials never logged or put
// in errors), a server-side dry-run of every object first with strict field
// validation (every failure listed, nothing applied when one fails),
// server-side apply with field manager "ferry" in stages (Namespaces, CRDs
// and other cluster definitions first, CRDs waited for until established;
// then the rest), prune by inventory, health through kstatus, and
// field-level diffs with Secret data masked.
//
// It builds on github.com/fluxcd/pkg/ssa: its drift rule (labels,
// annotations and everything outside metadata/status of the dry-run result
// against the live object, normalized by ssa/normalize), its Secret masking,
// jsondiff for field diffs, WaitForSetWithContext for kstatus health and
// DeleteAll for the label-guarded prune. Requests are its own, because
// ssa.ApplyAll GETs every object and applies one at a time: live state comes
// from paged LISTs (one per type and namespace), dry-runs and applies run on
// a bounded worker pool, and only objects that differ are written.
//
// The inventory of an (env, component) pair is kept in the cluster as a
// ConfigMap in the ferry-system namespace: the object IDs it applied, and,
// per object, a digest of what ferry applied with the resourceVersion seen
// afterwards. While both still match, the object cannot have changed since
// ferry last verified it, so an unchanged re-sync sends no dry-run and no
// write for it (Secrets get no digest and are always dry-run). The caller
// also records the IDs in the store.
//
// kube does not render manifests (package render) and does not decide what
// to deploy where (package deploy).
package kube
