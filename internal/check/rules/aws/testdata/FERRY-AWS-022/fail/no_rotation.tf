resource "aws_kms_key" "k" { # want FERRY-AWS-022
  description = "data"
}

resource "aws_kms_key" "off" {
  enable_key_rotation = false # want FERRY-AWS-022
}
