variable "name" {
  type = string
}

resource "terraform_data" "marker" {
  input = var.name
}
