provider "azurerm" {
  subscription_id     = var.subscription_id
  storage_use_azuread = true

  features {
    key_vault {
      purge_soft_delete_on_destroy = false
    }
    resource_group {
      prevent_deletion_if_contains_resources = true
    }
  }
}

module "foundation" {
  source = "../../modules/azure-foundation"

  name                   = "refplat-${var.environment}"
  location               = var.location
  address_space          = var.address_space
  admin_cidrs            = var.admin_cidrs
  admin_group_object_ids = var.admin_group_object_ids
  kubernetes_version     = var.kubernetes_version
  tags                   = merge(var.tags, { environment = var.environment })
}

# Local accounts are disabled on AKS: authenticate through Entra ID with
# kubelogin from the admin network (the cluster is private).
provider "kubernetes" {
  host                   = module.foundation.aks_host
  cluster_ca_certificate = base64decode(module.foundation.aks_cluster_ca)

  exec {
    api_version = "client.authentication.k8s.io/v1beta1"
    command     = "kubelogin"
    # 6dae42f8-4368-4678-94ff-3960e28e3630 is the fixed AKS server application ID.
    args = ["get-token", "--login", "azurecli", "--server-id", "6dae42f8-4368-4678-94ff-3960e28e3630"]
  }
}

module "gitops" {
  source = "../../modules/gitops-platform"

  environment = var.environment
  ferry_image = var.ferry_image
}
