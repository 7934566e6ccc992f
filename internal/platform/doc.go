// Package platform owns the ferry.yaml model: the types, a strict loader that
// reports every problem at once with file:line and field path, the defaults
// (in one function) and cross-field validation. It does not touch Git,
// clusters or the store.
package platform
