variable "bucket_id" {
  type = string
}

resource "aws_s3_bucket_public_access_block" "this" {
  bucket                  = var.bucket_id
  block_public_acls       = false # want FERRY-AWS-001
  block_public_policy     = true
  ignore_public_acls      = true
  restrict_public_buckets = true
}
