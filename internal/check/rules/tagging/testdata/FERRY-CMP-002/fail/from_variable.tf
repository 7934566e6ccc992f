variable "region" {
  default = "ap-south-1"
}

provider "aws" {
  region = var.region # want FERRY-CMP-002
}
