variable "environment" {
  description = "Environment this stack deploys (production)."
  type        = string

  validation {
    condition     = var.environment == "production"
    error_message = "The Azure foundation stack serves only production."
  }
}

variable "subscription_id" {
  description = "Azure subscription the foundation lives in (an ID, not a secret)."
  type        = string

  validation {
    condition     = can(regex("^[0-9a-f-]{36}$", var.subscription_id))
    error_message = "The subscription ID must be a GUID."
  }
}

variable "location" {
  description = "Azure region of the foundation."
  type        = string

  validation {
    condition     = contains(["westeurope", "northeurope"], var.location)
    error_message = "The location must be westeurope or northeurope."
  }
}

variable "address_space" {
  description = "Address space of the virtual network."
  type        = string
}

variable "admin_cidrs" {
  description = "Private networks allowed to reach Key Vault and state storage."
  type        = list(string)
}

variable "admin_group_object_ids" {
  description = "Entra ID groups that administer the AKS cluster."
  type        = list(string)
}

variable "kubernetes_version" {
  description = "AKS Kubernetes version."
  type        = string
}

variable "ferry_image" {
  description = "Pinned ferry agent image."
  type        = string
}

variable "tags" {
  description = "Ownership tags applied to every resource."
  type        = map(string)
}
