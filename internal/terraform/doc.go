// Package terraform runs one Terraform root module (a platform component of
// type terraform) for one environment target through
// github.com/hashicorp/terraform-exec, with `terraform` or `tofu`: init with
// the target's backend, workspace select-or-create, plan with the
// environment's var files and vars into a saved plan file, `show -json` of
// that plan into a Summary, an optional policy check on the plan JSON, apply
// of exactly that saved plan, outputs, and drift detection through
// `plan -detailed-exitcode`.
//
// Safety: a Summary carries addresses and actions only, never attribute
// values, so sensitive values cannot reach output or the store; outputs
// marked sensitive keep their values out of every String and JSON form
// (Output.Value is omitted and Export renders them only into Secrets);
// errors are passed through a redactor that blanks backend-config values.
//
// Each stack runs with its own TF_DATA_DIR under the state directory the
// caller chooses (ferry uses <repo>/.ferry/terraform/<env>/<target>/<component>,
// git-ignored), so working copies can be temporary without re-downloading
// providers, and the local backend's state lives there too rather than in
// the temporary working copy.
//
// The backend type comes from the target (platform TerraformTarget.Backend):
// ferry writes a `ferry_backend_override.tf` into the working copy declaring
// that backend, and passes the target's backendConfig as -backend-config.
//
// terraform does not render Kubernetes objects, does not decide the order of
// components (package deploy does) and does not evaluate Rego itself: it
// accepts a PolicyChecker (package policy implements one; nil disables).
package terraform
