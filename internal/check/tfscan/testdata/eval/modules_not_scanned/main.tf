module "vpc" {
  source = "terraform-aws-modules/vpc/aws" # want FERRY-TF-003
}

module "outside" {
  source = "../../elsewhere" # want FERRY-TF-003
}

module "loop" {
  source = "./loop"
}
