// Package tfscan loads Terraform configurations and runs ferry's Terraform
// rules on them. It parses HCL with hashicorp/hcl/v2 and evaluates it with
// go-cty the way Terraform would before a plan: variables (defaults,
// environment tfvars, module call arguments), locals, count, for_each,
// dynamic blocks and a subset of Terraform's functions. Local module calls
// are followed so module resources are checked with the caller's inputs.
// Values that cannot be known before apply stay unknown, and rules never
// guess a finding from an unknown value. Work is bounded (instances per
// block, module instances, for-expression elements, nesting depth) so
// hostile input ends with a finding, never a hang or a stack overflow.
//
// Entry points: Scan (one environment), ScanEnvs (parse once, evaluate per
// environment) and Rules (metadata of every rule they report).
//
// It owns the syntax and formatting findings (FERRY-TF-*) and runs the rule
// packages rules/aws, rules/azure and rules/tagging. It does not filter
// files, apply suppressions or ferry.yaml rule settings, or write reports:
// that is the check pipeline's job (check/scan).
package tfscan
