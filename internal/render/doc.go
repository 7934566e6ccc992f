// Package render turns one component of the platform into Kubernetes objects
// for one environment: a kustomize overlay (sigs.k8s.io/kustomize/api/krusty),
// a local Helm chart with per-environment values files (helm.sh/helm/v3,
// template only) or a directory of plain multi-document YAML.
//
// Rendering is confined to the platform repository: kustomize reads through a
// filesystem that refuses paths outside the repository root, remote bases are
// refused unless the platform sets security.allowRemoteBases, exec/Go plugins
// are off (kustomize's plugin config is disabled; the Helm chart inflation
// generator is not enabled), Helm charts come from a local path only (charts
// with unvendored remote dependencies are refused unless
// security.allowRemoteCharts) and no post-renderer runs. Helm hooks are not
// rendered: ferry applies desired state and does not run hook lifecycles.
//
// The output order is stable: Namespaces and CRDs first, then by kind, group,
// namespace and name, so that golden files and inventories never flap.
//
// render does not talk to a cluster (see package kube for defaulting
// namespaces with discovery) and does not run Terraform.
package render
