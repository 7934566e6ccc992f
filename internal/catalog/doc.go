// Package catalog owns the platform's Backstage entities: from a loaded
// ferry.yaml it builds a System for the platform, a Component per
// Kubernetes component, a Resource per Terraform stack and per environment
// target, with owner, lifecycle and dependsOn from ferry.yaml and the
// annotations Backstage's plugins read (backstage.io/kubernetes-id,
// backstage.io/kubernetes-namespace, backstage.io/source-location) plus
// ferry.dev/* ones a Backstage page can use to link to ferry. Write emits
// them as YAML documents in a fixed order (`ferry catalog`, and ferry
// serve's GET /api/v1/catalog).
//
// It reads the repository to render components (for their namespaces) and,
// in Build, the URL of ferry.yaml's remote (never its credentials); it does
// not touch clusters or the store. The label that matches
// backstage.io/kubernetes-id is put on the objects by package render.
package catalog
