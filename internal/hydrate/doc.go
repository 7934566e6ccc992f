// Package hydrate writes an environment's rendered manifests to a branch of
// their own (env/<name> by default), the "rendered manifests" or source
// hydrator pattern: Argo CD or Flux applies plain YAML from that branch
// while ferry keeps running lanes, checks, gates and releases. It also
// writes the Argo CD Applications (or ApplicationSet) and Flux
// GitRepository + Kustomization objects that point at those branches.
//
// The branch holds <target>/<component>.yaml per cluster target and a
// README; each commit names its source revision in trailers. Hydrating
// the same manifests again makes no commit.
package hydrate
