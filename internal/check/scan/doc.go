// Package scan is the check pipeline: it walks a directory safely (never
// following symlinks; binary, oversized, invalid UTF-8 and unreadable files
// become findings), loads YAML and Terraform in parallel, renders each
// environment's kustomize overlays in memory and its Helm charts and
// per-environment manifests directories with package render (what ferry
// sync applies; findings point at the template or file), runs every rule domain
// (Terraform through tfscan, Kubernetes rules, schemas, secrets, Rego
// policies, commit and branch rules), applies suppressions and ferry.yaml
// rule settings, and returns sorted findings. CheckRevision runs it on a
// checked-out revision and records the run in the store for promotion
// gates. It does not format reports (check/report) or parse flags (cli).
package scan
