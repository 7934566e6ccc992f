output "resource_group_name" {
  description = "Resource group of the production foundation."
  value       = module.foundation.resource_group_name
}

output "aks_cluster_name" {
  description = "Name of the production AKS cluster."
  value       = module.foundation.aks_cluster_name
}

output "key_vault_uri" {
  description = "URI of the production Key Vault."
  value       = module.foundation.key_vault_uri
}

output "ferry_namespace" {
  description = "Namespace of the ferry agent."
  value       = module.gitops.ferry_namespace
}
