variable "name" {
  description = "Name stem of every resource (e.g. refplat-prod)."
  type        = string

  validation {
    condition     = can(regex("^[a-z][a-z0-9-]{2,18}[a-z0-9]$", var.name))
    error_message = "The name must be 4-20 lowercase letters, digits or dashes."
  }
}

variable "location" {
  description = "Azure region of the foundation."
  type        = string

  validation {
    condition     = contains(["westeurope", "northeurope"], var.location)
    error_message = "The location must be one of the platform's allowed locations: westeurope, northeurope."
  }
}

variable "address_space" {
  description = "Address space of the virtual network."
  type        = string
  default     = "10.50.0.0/16"

  validation {
    condition     = can(cidrnetmask(var.address_space))
    error_message = "The address space must be a valid IPv4 CIDR block."
  }
}

variable "kubernetes_version" {
  description = "AKS Kubernetes version."
  type        = string
  default     = "1.31"

  validation {
    condition     = can(regex("^1\\.[0-9]{2}$", var.kubernetes_version))
    error_message = "The Kubernetes version must look like 1.31."
  }
}

variable "node_vm_size" {
  description = "VM size of the AKS system node pool."
  type        = string
  default     = "Standard_D4s_v5"
}

variable "node_count" {
  description = "Minimum and maximum node count of the autoscaled system pool."
  type = object({
    min = number
    max = number
  })
  default = { min = 2, max = 5 }

  validation {
    condition     = var.node_count.min >= 1 && var.node_count.min <= var.node_count.max
    error_message = "Node count must satisfy 1 <= min <= max."
  }
}

variable "admin_group_object_ids" {
  description = "Entra ID (Azure AD) groups that administer the AKS cluster."
  type        = list(string)

  validation {
    condition     = length(var.admin_group_object_ids) > 0 && alltrue([for id in var.admin_group_object_ids : can(regex("^[0-9a-f-]{36}$", id))])
    error_message = "Give at least one admin group object ID (a GUID)."
  }
}

variable "admin_cidrs" {
  description = "Private CIDR blocks (VPN) allowed to reach Key Vault and the state storage account."
  type        = list(string)

  validation {
    condition     = alltrue([for c in var.admin_cidrs : can(cidrnetmask(c)) && c != "0.0.0.0/0"])
    error_message = "Admin CIDRs must be valid IPv4 blocks and never 0.0.0.0/0."
  }
}

variable "log_retention_days" {
  description = "Retention of the Log Analytics workspace."
  type        = number
  default     = 365

  validation {
    condition     = var.log_retention_days >= 90 && var.log_retention_days <= 730
    error_message = "Retention must be between 90 and 730 days."
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
