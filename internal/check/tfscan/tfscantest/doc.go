// Package tfscantest runs rule fixtures for the Terraform rule packages:
// testdata/<RULE-ID>/{fail,pass}/*.tf files annotated with `# want RULE-ID`
// comments on the lines where findings are expected. It is test support
// only and owns no rule logic.
package tfscantest
