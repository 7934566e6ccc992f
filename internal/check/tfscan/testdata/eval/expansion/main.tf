variable "enabled" {
  default = false
}

variable "ports" {
  type    = map(number)
  default = { ssh = 22, web = 443 }
}

locals {
  open = "0.0.0.0/0"
}

resource "aws_kms_key" "off" {
  count               = var.enabled ? 1 : 0
  enable_key_rotation = false
}

resource "aws_kms_key" "two" {
  count               = 2
  enable_key_rotation = count.index == 1 # want FERRY-AWS-022
}

resource "aws_vpc_security_group_ingress_rule" "r" {
  for_each          = var.ports
  security_group_id = "sg-1"
  cidr_ipv4         = local.open # want FERRY-AWS-011
  from_port         = each.value
  to_port           = each.value
  ip_protocol       = "tcp"
}
