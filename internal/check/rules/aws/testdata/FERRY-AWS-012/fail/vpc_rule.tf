resource "aws_vpc_security_group_egress_rule" "all" {
  security_group_id = "sg-123"
  cidr_ipv6         = "::/0" # want FERRY-AWS-012
  ip_protocol       = "-1"
}
