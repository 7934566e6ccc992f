variable "name" {
  type = string
}

variable "token" {
  type      = string
  sensitive = true
  default   = "s3cr3t-token-value"
}

resource "terraform_data" "app" {
  input = {
    name  = var.name
    token = var.token
  }
}

resource "terraform_data" "extra" {
  count = var.name == "two" ? 1 : 0
  input = var.name
}

output "name" {
  value = terraform_data.app.output.name
}

output "token" {
  value     = terraform_data.app.output.token
  sensitive = true
}

output "shape" {
  value = { name = var.name, n = 2 }
}
