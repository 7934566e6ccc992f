provider "aws" {
  region = "us-east-1" # want FERRY-CMP-002
}

provider "aws" {
  alias  = "dr"
  region = "eu-central-1"
}
