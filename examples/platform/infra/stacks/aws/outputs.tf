output "vpc_id" {
  description = "ID of the production VPC."
  value       = module.foundation.vpc_id
}

output "eks_cluster_name" {
  description = "Name of the production EKS cluster."
  value       = module.foundation.eks_cluster_name
}

output "state_bucket" {
  description = "S3 bucket for Terraform state."
  value       = module.foundation.state_bucket
}

output "ferry_namespace" {
  description = "Namespace of the ferry agent."
  value       = module.gitops.ferry_namespace
}
