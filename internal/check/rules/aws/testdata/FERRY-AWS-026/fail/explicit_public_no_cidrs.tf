resource "aws_eks_cluster" "c" {
  name     = "main"
  role_arn = "arn:aws:iam::111122223333:role/eks"
  vpc_config {
    subnet_ids = ["subnet-1", "subnet-2"]
    # The endpoint is public on purpose; no public_access_cidrs narrows it.
    endpoint_public_access = true # want FERRY-AWS-025, FERRY-AWS-026
  }
  encryption_config {
    resources = ["secrets"]
    provider {
      key_arn = "arn:aws:kms:eu-west-1:111122223333:key/abcd"
    }
  }
  enabled_cluster_log_types = ["api", "audit", "authenticator", "controllerManager", "scheduler"]
}
