locals {
  a = "${"nested ${var.b}"}"
}
