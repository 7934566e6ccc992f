provider "aws" {
  region = "eu-west-1"
  default_tags {
    tags = { owner = "platform" }
  }
}

provider "aws" {
  alias  = "us"
  region = "us-east-1" # want FERRY-CMP-002
  default_tags {
    tags = { owner = "platform", env = "prod" }
  }
}

module "eu" {
  source = "./mod"
}

module "us" {
  source    = "./mod"
  providers = { aws = aws.us }
}
