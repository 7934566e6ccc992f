variable "environment" {
  description = "Environment the cluster serves (dev, staging, production)."
  type        = string

  validation {
    condition     = contains(["dev", "staging", "production"], var.environment)
    error_message = "The environment must be dev, staging or production."
  }
}

variable "ferry_image" {
  description = "ferry agent image, pinned by tag or digest (never latest)."
  type        = string
  default     = "ghcr.io/ferry-dev/ferry:0.1.0"

  validation {
    condition     = can(regex(":[0-9A-Za-z._-]+$|@sha256:[0-9a-f]{64}$", var.ferry_image)) && !endswith(var.ferry_image, ":latest")
    error_message = "Pin the ferry image to a version tag or a digest; latest is not allowed."
  }
}

variable "team" {
  description = "Team that owns the platform namespaces."
  type        = string
  default     = "platform-team"
}
