resource "aws_launch_template" "lt" {
  name = "nodes"
  metadata_options {
    http_tokens = "optional" # want FERRY-AWS-023
  }
}

resource "aws_instance" "i" { # want FERRY-AWS-023
  ami           = "ami-123"
  instance_type = "t3.micro"
  root_block_device {
    encrypted = true
  }
}
