resource "aws_security_group" "sg" {
  name = "app"
  egress {
    from_port   = 0
    to_port     = 0
    protocol    = "-1"
    cidr_blocks = ["0.0.0.0/0"] # want FERRY-AWS-012
  }
}
