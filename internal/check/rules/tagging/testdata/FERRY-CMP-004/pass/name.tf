variable "suffix" {
  type = string
}

resource "aws_sns_topic" "t" {
  name = "alerts-topic"
  tags = { owner = "platform", env = "dev" }
}

resource "aws_sqs_queue" "q" {
  name = "jobs-${var.suffix}"
  tags = { owner = "platform", env = "dev" }
}
