resource "x" "y" {
  nested {
    v = "${var.a}"
  }
}
