variable "name" {
  description = "Name prefix of every resource (e.g. reference-platform-production)."
  type        = string

  validation {
    condition     = can(regex("^[a-z][a-z0-9-]{2,38}[a-z0-9]$", var.name))
    error_message = "The name must be 4-40 lowercase letters, digits or dashes."
  }
}

variable "region" {
  description = "AWS region of the foundation."
  type        = string

  validation {
    condition     = contains(["eu-west-1", "eu-central-1"], var.region)
    error_message = "The region must be one of the platform's allowed regions: eu-west-1, eu-central-1."
  }
}

variable "vpc_cidr" {
  description = "CIDR block of the VPC."
  type        = string
  default     = "10.40.0.0/16"

  validation {
    condition     = can(cidrnetmask(var.vpc_cidr))
    error_message = "The VPC CIDR must be a valid IPv4 CIDR block."
  }
}

variable "az_count" {
  description = "Number of availability zones to spread subnets across."
  type        = number
  default     = 3

  validation {
    condition     = var.az_count >= 2 && var.az_count <= 3
    error_message = "Use 2 or 3 availability zones."
  }
}

variable "kubernetes_version" {
  description = "EKS Kubernetes version."
  type        = string
  default     = "1.31"

  validation {
    condition     = can(regex("^1\\.[0-9]{2}$", var.kubernetes_version))
    error_message = "The Kubernetes version must look like 1.31."
  }
}

variable "node_instance_types" {
  description = "Instance types of the managed node group."
  type        = list(string)
  default     = ["m6i.large"]

  validation {
    condition     = length(var.node_instance_types) > 0
    error_message = "Give at least one instance type."
  }
}

variable "node_scaling" {
  description = "Managed node group size."
  type = object({
    min     = number
    desired = number
    max     = number
  })
  default = { min = 2, desired = 3, max = 6 }

  validation {
    condition     = var.node_scaling.min >= 1 && var.node_scaling.min <= var.node_scaling.desired && var.node_scaling.desired <= var.node_scaling.max
    error_message = "Node scaling must satisfy 1 <= min <= desired <= max."
  }
}

variable "admin_cidrs" {
  description = "Private CIDR blocks (VPN, bastion network) allowed to reach the private EKS API endpoint."
  type        = list(string)

  validation {
    condition     = alltrue([for c in var.admin_cidrs : can(cidrnetmask(c)) && c != "0.0.0.0/0"])
    error_message = "Admin CIDRs must be valid IPv4 blocks and never 0.0.0.0/0."
  }
}

variable "cluster_admin_role_arns" {
  description = "IAM roles granted cluster-admin on EKS through access entries (the platform runner, break-glass)."
  type        = list(string)

  validation {
    condition     = length(var.cluster_admin_role_arns) > 0 && alltrue([for a in var.cluster_admin_role_arns : can(regex("^arn:aws[a-z-]*:iam::[0-9]{12}:role/[A-Za-z0-9+=,.@_/-]+$", a))])
    error_message = "Give at least one IAM role ARN (arn:aws:iam::ACCOUNT:role/NAME)."
  }
}

variable "log_retention_days" {
  description = "Retention of CloudWatch log groups (VPC flow logs, EKS control plane)."
  type        = number
  default     = 365

  validation {
    condition     = contains([90, 180, 365, 400, 545, 731, 1827, 3653], var.log_retention_days)
    error_message = "Retention must be a CloudWatch value of at least 90 days."
  }
}

variable "tags" {
  description = "Tags applied to every resource; must carry owner, environment, cost-center and managed-by."
  type        = map(string)

  validation {
    condition     = alltrue([for k in ["owner", "environment", "cost-center", "managed-by"] : contains(keys(var.tags), k)])
    error_message = "Tags must include owner, environment, cost-center and managed-by."
  }
}
