variable "environment" {
  description = "Environment this stack deploys (production)."
  type        = string

  validation {
    condition     = var.environment == "production"
    error_message = "The AWS foundation stack serves only production."
  }
}

variable "region" {
  description = "AWS region of the foundation."
  type        = string

  validation {
    condition     = contains(["eu-west-1", "eu-central-1"], var.region)
    error_message = "The region must be eu-west-1 or eu-central-1."
  }
}

variable "vpc_cidr" {
  description = "CIDR block of the VPC."
  type        = string
}

variable "admin_cidrs" {
  description = "Private networks allowed to reach the private EKS API endpoint."
  type        = list(string)
}

variable "cluster_admin_role_arns" {
  description = "IAM roles with cluster-admin on EKS (the production runner's role, break-glass)."
  type        = list(string)
}

variable "kubernetes_version" {
  description = "EKS Kubernetes version."
  type        = string
}

variable "ferry_image" {
  description = "Pinned ferry agent image."
  type        = string
}

variable "tags" {
  description = "Ownership tags; the provider adds them to every resource."
  type        = map(string)
}
