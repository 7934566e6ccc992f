terraform {
  required_version = ">= 1.5.0"

  required_providers {
    azurerm = {
      source  = "hashicorp/azurerm"
      version = "~> 4.14"
    }
    kubernetes = {
      source  = "hashicorp/kubernetes"
      version = "~> 2.35"
    }
  }

  # Partial configuration: storage account, container and key come from the
  # environment's target in ferry.yaml (terraform init -backend-config=...).
  backend "azurerm" {}
}
