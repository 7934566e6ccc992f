locals {
  a = "${
    var.a ? 1 : 2
  }"
}
