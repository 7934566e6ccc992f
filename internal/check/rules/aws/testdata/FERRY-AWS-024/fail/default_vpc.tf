resource "aws_vpc" "main" {
  cidr_block = "10.0.0.0/16"
}

resource "aws_flow_log" "main" {
  vpc_id               = aws_vpc.main.id
  traffic_type         = "ALL"
  log_destination      = "arn:aws:s3:::flow-logs"
  log_destination_type = "s3"
}

# The flow log above belongs to aws_vpc.main, not to the default VPC.
resource "aws_default_vpc" "default" { # want FERRY-AWS-024
}
