resource "aws_kms_key" "k" {
  enable_key_rotation = true
}

resource "aws_kms_key" "signing" {
  key_usage                = "SIGN_VERIFY"
  customer_master_key_spec = "RSA_2048"
}
