resource "aws_instance" "i" {
  ami           = "ami-123"
  instance_type = "t3.micro"
  metadata_options {
    http_tokens = "required"
  }
  root_block_device {
    encrypted = false # want FERRY-AWS-015
  }
  ebs_block_device {
    device_name = "/dev/sdf"
    encrypted   = false # want FERRY-AWS-015
  }
}
