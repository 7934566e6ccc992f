variable "environment" {
  description = "Environment this stack describes (dev or staging)."
  type        = string

  validation {
    condition     = contains(["dev", "staging"], var.environment)
    error_message = "The local stack serves only the dev and staging environments."
  }
}

variable "cluster_name" {
  description = "Name of the local Kubernetes cluster (k3d in dev, k3s in staging)."
  type        = string

  validation {
    condition     = can(regex("^[a-z][a-z0-9-]{1,30}[a-z0-9]$", var.cluster_name))
    error_message = "The cluster name must be 3-32 lowercase letters, digits or dashes."
  }
}

variable "kube_context" {
  description = "kubeconfig context ferry deploys the environment's apps to."
  type        = string

  validation {
    condition     = length(var.kube_context) > 0
    error_message = "The kube context must not be empty."
  }
}

variable "apps" {
  description = "Applications that get a namespace in this environment."
  type        = set(string)
  default     = ["backstage", "sample-service", "monitoring"]

  validation {
    condition     = alltrue([for a in var.apps : can(regex("^[a-z][a-z0-9-]*$", a))])
    error_message = "App names must be lowercase DNS labels."
  }
}

variable "tags" {
  description = "Ownership tags recorded with the environment."
  type        = map(string)

  validation {
    condition     = alltrue([for k in ["owner", "cost-center", "managed-by"] : contains(keys(var.tags), k)])
    error_message = "Tags must include owner, cost-center and managed-by."
  }
}
