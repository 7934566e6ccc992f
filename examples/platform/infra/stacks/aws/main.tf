provider "aws" {
  region = var.region

  # Every taggable resource carries the platform's required tags.
  default_tags {
    tags = merge(var.tags, { environment = var.environment })
  }
}

module "foundation" {
  source = "../../modules/aws-foundation"

  name                    = "refplat-${var.environment}"
  region                  = var.region
  vpc_cidr                = var.vpc_cidr
  admin_cidrs             = var.admin_cidrs
  cluster_admin_role_arns = var.cluster_admin_role_arns
  kubernetes_version      = var.kubernetes_version
  tags                    = merge(var.tags, { environment = var.environment })
}

# The cluster's API is private: this stack runs from the admin network (the
# production runner), which reaches it through the VPN.
provider "kubernetes" {
  host                   = module.foundation.eks_cluster_endpoint
  cluster_ca_certificate = base64decode(module.foundation.eks_cluster_ca)

  exec {
    api_version = "client.authentication.k8s.io/v1beta1"
    command     = "aws"
    args        = ["eks", "get-token", "--cluster-name", module.foundation.eks_cluster_name, "--region", var.region]
  }
}

module "gitops" {
  source = "../../modules/gitops-platform"

  environment = var.environment
  ferry_image = var.ferry_image
}
