variable "region" {
  default = "eu-west-1"
}

provider "aws" {
  region = var.region # want FERRY-CMP-002
}
