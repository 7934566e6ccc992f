module "again" {
  source = "../loop" # want FERRY-TF-003
}

resource "aws_kms_key" "k" { # want FERRY-AWS-022
  description = "in the loop"
}
