resource "aws_sns_topic" "t" {
  name = "Alerts_Topic" # want FERRY-CMP-004
  tags = { owner = "platform", env = "dev" }
}
