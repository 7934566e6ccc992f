resource "aws_instance" "i" { # want FERRY-AWS-015
  ami           = "ami-123"
  instance_type = "t3.micro"
  metadata_options {
    http_tokens = "required"
  }
}
