# The local stack needs no provider at all: it is built only on Terraform's
# built-in terraform_data resource, so `terraform init && terraform apply`
# work offline, on a laptop or in CI.
terraform {
  required_version = ">= 1.5.0"
}
