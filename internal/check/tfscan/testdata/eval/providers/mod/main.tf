resource "aws_sns_topic" "t" { # want FERRY-CMP-001
  name = "alerts"
}
