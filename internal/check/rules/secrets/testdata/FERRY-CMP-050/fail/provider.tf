provider "aws" {
  region     = "eu-west-1"
  access_key = "AKIAZ7QHJ4K2LMN3OPQR" # want FERRY-CMP-050
}
