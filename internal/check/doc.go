// Package check holds the check pipeline's shared vocabulary: findings,
// locations, severities, rule metadata and suppressions. Loaders and rules
// live in sub-packages by domain (tfscan for Terraform/HCL, rules/aws,
// rules/azure, rules/kubernetes, …); the pipeline that runs them is
// check/scan and reports are written by check/report. It does not touch
// Git history, clusters or the store itself.
package check
