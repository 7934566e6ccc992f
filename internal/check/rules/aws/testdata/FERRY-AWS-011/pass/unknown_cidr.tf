variable "admin_cidrs" {
  type = list(string)
}

resource "aws_vpc_security_group_ingress_rule" "ssh" {
  security_group_id = "sg-123"
  cidr_ipv4         = var.admin_cidrs[0]
  from_port         = 22
  to_port           = 22
  ip_protocol       = "tcp"
}

resource "aws_security_group_rule" "icmp" {
  type              = "ingress"
  from_port         = -1
  to_port           = -1
  protocol          = "icmp"
  cidr_blocks       = ["0.0.0.0/0"]
  security_group_id = "sg-123"
}
