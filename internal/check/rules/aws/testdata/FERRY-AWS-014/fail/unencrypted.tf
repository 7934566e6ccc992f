resource "aws_ebs_volume" "v" {
  availability_zone = "eu-west-1a"
  size              = 10
  encrypted         = false # want FERRY-AWS-014
}

resource "aws_ebs_volume" "w" { # want FERRY-AWS-014
  availability_zone = "eu-west-1a"
  size              = 10
}
