// Package preview tells, for a topic branch (or any two revisions), what
// merging it would do: the check findings it adds and resolves, and per
// environment the Kubernetes objects it creates, configures (field by
// field, Secret values masked) and prunes, with the Terraform components
// whose files it changes — or, with Plan, their plan summaries and the
// server-side dry-run against the live clusters. Markdown fits one pull
// request comment.
package preview
