# The rule is located at the address attribute that opens it (here the
# IPv6 list, on its first line), not at the ingress block's first line.
resource "aws_security_group" "sg" {
  name = "bastion"
  ingress {
    description = "ssh from the office and, by mistake, everywhere"
    from_port   = 22
    to_port     = 22
    protocol    = "tcp"
    cidr_blocks = ["203.0.113.0/24"]
    ipv6_cidr_blocks = [ # want FERRY-AWS-011
      "2001:db8::/32",
      "::/0",
    ]
  }
}
