// Package policy evaluates a team's own Rego policies (policies/**/*.rego)
// with OPA, conftest-compatible: rules named deny, warn or violation (or
// prefixed deny_, warn_, violation_) in package main or any other package,
// whose values are message strings or objects with a msg field. Inputs are
// parsed documents (YAML objects, Terraform HCL as an hcl2json-shaped map)
// or Terraform plan JSON. Policies run sandboxed: no network, no
// environment. It does not find files or decide severities' exit codes;
// check/scan does.
package policy
