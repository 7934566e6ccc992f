resource "aws_s3_account_public_access_block" "acct" {
  ignore_public_acls      = false # want FERRY-AWS-003
  block_public_acls       = true
  block_public_policy     = true
  restrict_public_buckets = true
}
