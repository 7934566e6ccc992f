provider "aws" {
  region = "eu-west-1"
  default_tags {
    tags = { owner = "platform", env = "dev" }
  }
}

variable "extra_tags" {
  type = map(string)
}

resource "aws_sns_topic" "t" {
  name = "alerts"
}

resource "aws_sqs_queue" "unknown_tags" {
  name = "jobs"
  tags = var.extra_tags
}
