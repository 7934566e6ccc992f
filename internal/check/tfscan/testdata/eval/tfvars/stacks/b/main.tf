variable "region" {
  default = "eu-west-1"
}

variable "rotation" {
  default = true
}

provider "aws" {
  region = var.region
}

resource "aws_kms_key" "k" {
  enable_key_rotation = var.rotation # want FERRY-AWS-022
}
