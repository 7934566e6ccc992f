variable "buckets" {
  default = ["data"]
}

resource "aws_s3_bucket" "this" {
  for_each = toset(var.buckets)
  bucket   = "example-${each.key}"
  acl      = "public-read" # want FERRY-AWS-006
}

# for_each over another resource expands with its keys, and each.value
# refers to that resource, so the access block is found for the bucket.
resource "aws_s3_bucket_public_access_block" "this" {
  for_each                = aws_s3_bucket.this
  bucket                  = each.value.id
  block_public_acls       = false # want FERRY-AWS-001
  block_public_policy     = true
  ignore_public_acls      = false # want FERRY-AWS-003
  restrict_public_buckets = true
}

resource "aws_s3_bucket_server_side_encryption_configuration" "this" {
  for_each = aws_s3_bucket.this
  bucket   = each.value.id
  rule {
    apply_server_side_encryption_by_default {
      sse_algorithm     = "aws:kms"
      kms_master_key_id = "arn:aws:kms:eu-west-1:111122223333:key/abcd"
    }
  }
}

resource "aws_s3_bucket_versioning" "this" {
  for_each = aws_s3_bucket.this
  bucket   = each.value.id
  versioning_configuration {
    status = "Disabled" # want FERRY-AWS-009
  }
}

resource "aws_s3_bucket_logging" "this" {
  for_each      = aws_s3_bucket.this
  bucket        = each.value.id
  target_bucket = "central-logs"
}
