resource "aws_vpc_security_group_ingress_rule" "all" {
  security_group_id = "sg-123"
  cidr_ipv4         = "0.0.0.0/0" # want FERRY-AWS-011
  ip_protocol       = "-1"
}
