provider "aws" {
  region = "eu-west-1"
  default_tags {
    tags = { owner = "platform" }
  }
}

resource "aws_sns_topic" "t" { # want FERRY-CMP-001
  name = "alerts"
}
