variable "a" {
  type = list(string)
}

locals {
  b = upper("${var.a[0]}-x")
}
