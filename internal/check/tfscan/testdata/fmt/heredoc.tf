locals {
  a = <<EOT
${var.a}
EOT
}
