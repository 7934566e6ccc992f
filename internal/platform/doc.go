// Package platform owns the ferry.yaml model: the types, a strict loader that
// reports every problem at once with file:line and field path, the defaults
// (in one function, applyDefaults) and cross-field validation. It does not
// touch Git, clusters or the store.
//
// Loading:
//
//	p, err := platform.Load(repoDir)        // <repoDir>/ferry.yaml
//	p, err := platform.Parse(data, "ferry.yaml", repoDir) // repoDir "" skips filesystem checks
//
// Errors: a *ConfigError lists every Problem{File, Line, Column, Path, Msg}
// ("ferry.yaml:14: spec.environments[1].lane: lane \"stagin\" is not
// declared (…)"); a *LoadError means the file could not be read
// (errors.Is(err, ErrNoConfig) when it is missing). Both implement
// ConfigError() bool, which the CLI maps to exit code 2.
//
// Strictness: unknown fields, wrong types, duplicate keys, more than one
// document, files over MaxFileSize are problems. Anchors, aliases and "<<"
// merge keys work; yaml.v3 does not expand aliases when parsing into nodes,
// so the decoder bounds the values it decodes to a multiple of the nodes
// written (an alias bomb is a problem, not a hang).
//
// Paths in the model (component paths, inputs path/varFiles/valuesFiles,
// policyDirs, changelog, the SQLite store file) are relative to the
// repository root, and may not leave it.
//
// Lookups for other packages: Lane, LaneIndex, LaneNames, Env, EnvForLane,
// Component, Topic, TopicForBranch, PromotionTo, ComponentOrder (dependsOn
// order, stable), Environment.OrderedTargets, Component.InputsFor/PathFor,
// StoreDSN/StorePath (${VAR} expansion; never print the result).
package platform
