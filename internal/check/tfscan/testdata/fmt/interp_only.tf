locals {
  a = "${var.a}"
}
