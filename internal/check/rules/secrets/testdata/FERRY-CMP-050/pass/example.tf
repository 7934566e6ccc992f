# the AWS docs example key is not a secret
locals {
  doc = "AKIAIOSFODNN7EXAMPLE"
}
