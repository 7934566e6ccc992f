output "vpc_id" {
  description = "ID of the VPC."
  value       = aws_vpc.main.id
}

output "private_subnet_ids" {
  description = "Private subnets, one per availability zone."
  value       = aws_subnet.private[*].id
}

output "public_subnet_ids" {
  description = "Public subnets (load balancers only), one per availability zone."
  value       = aws_subnet.public[*].id
}

output "kms_key_arn" {
  description = "ARN of the foundation's customer-managed KMS key."
  value       = aws_kms_key.main.arn
}

output "state_bucket" {
  description = "S3 bucket for Terraform state."
  value       = aws_s3_bucket.state.id
}

output "lock_table" {
  description = "DynamoDB table for Terraform state locks."
  value       = aws_dynamodb_table.lock.name
}

output "log_bucket" {
  description = "S3 bucket holding access logs and CloudTrail."
  value       = aws_s3_bucket.logs.id
}

output "eks_cluster_name" {
  description = "Name of the EKS cluster."
  value       = aws_eks_cluster.main.name
}

output "eks_cluster_endpoint" {
  description = "Private endpoint of the EKS API."
  value       = aws_eks_cluster.main.endpoint
}

output "eks_cluster_ca" {
  description = "Base64 CA certificate of the EKS API."
  value       = aws_eks_cluster.main.certificate_authority[0].data
}
