terraform {
  required_version = ">= 1.5.0"

  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = "~> 5.80"
    }
    kubernetes = {
      source  = "hashicorp/kubernetes"
      version = "~> 2.35"
    }
  }

  # Partial configuration: bucket, key, region and lock table come from the
  # environment's target in ferry.yaml (terraform init -backend-config=...).
  backend "s3" {}
}
