resource "aws_s3_account_public_access_block" "acct" {
  restrict_public_buckets = false # want FERRY-AWS-004
  block_public_acls       = true
  block_public_policy     = true
  ignore_public_acls      = true
}
