output "cluster_name" {
  description = "Name of the environment's local cluster."
  value       = terraform_data.environment.output.cluster_name
}

output "kube_context" {
  description = "kubeconfig context the environment's apps deploy to."
  value       = terraform_data.environment.output.kube_context
}

output "namespace_prefix" {
  description = "Prefix of every application namespace in this environment."
  value       = terraform_data.environment.output.namespace_prefix
}

output "namespaces" {
  description = "Namespace of each application, by app name."
  value       = { for app, ns in terraform_data.namespace : app => ns.output.namespace }
}

output "settings_sha256" {
  description = "Digest of the recorded settings; it changes whenever the environment does."
  value       = sha256(jsonencode(terraform_data.environment.output))
}
