locals {
  a = "x-${var.a}"
  b = "${var.a}${var.b}"
  c = "${var.a}-x"
}
