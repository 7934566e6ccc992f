module "public" {
  source = "../mod"
  acl    = "public-read"
}

module "private" {
  source = "../mod"
  acl    = "private"
}

module "unknown" {
  source = "../mod"
  acl    = var.acl
}

variable "acl" {
  type = string
}
