resource "aws_vpc" "main" { # want FERRY-AWS-024
  cidr_block = "10.0.0.0/16"
}
