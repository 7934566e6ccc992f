// Package yamlscan loads YAML files for the check pipeline: every document
// of a multi-document file as a yaml.v3 node tree, so each finding carries a
// line, with guards against alias bombs and deep nesting. A syntax error is
// a FERRY-YAML-001 finding. It knows nothing about Kubernetes rules or
// schemas; those take the Documents it returns.
package yamlscan
