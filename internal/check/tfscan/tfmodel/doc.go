// Package tfmodel is the evaluated Terraform configuration that Terraform
// rules inspect: resource and data instances with their attribute values
// (cty values, possibly unknown), nested blocks, source ranges, references
// between resources and the provider configuration each resource uses.
// tfscan builds it; rule packages (rules/aws, rules/azure, rules/tagging)
// read it. It does not parse HCL or decide what is a finding.
package tfmodel
