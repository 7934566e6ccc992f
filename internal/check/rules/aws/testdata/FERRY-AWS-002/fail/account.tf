resource "aws_s3_account_public_access_block" "acct" {
  block_public_policy     = false # want FERRY-AWS-002
  block_public_acls       = true
  ignore_public_acls      = true
  restrict_public_buckets = true
}
