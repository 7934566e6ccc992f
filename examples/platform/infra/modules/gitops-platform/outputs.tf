output "ferry_namespace" {
  description = "Namespace of the ferry agent."
  value       = kubernetes_namespace_v1.ferry.metadata[0].name
}

output "ferry_service_account" {
  description = "Service account the ferry agent runs as."
  value       = kubernetes_service_account_v1.ferry.metadata[0].name
}

output "ferry_image" {
  description = "Pinned ferry agent image the agent workload uses."
  value       = var.ferry_image
}
