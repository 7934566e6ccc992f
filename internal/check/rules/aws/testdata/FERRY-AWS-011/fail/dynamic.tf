variable "ports" {
  default = [22, 443]
}

resource "aws_security_group" "sg" {
  name = "web"
  dynamic "ingress" {
    for_each = var.ports
    content {
      from_port   = ingress.value
      to_port     = ingress.value
      protocol    = "tcp"
      cidr_blocks = ["0.0.0.0/0"] # want FERRY-AWS-011
    }
  }
}
