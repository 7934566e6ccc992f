resource "aws_cloudtrail" "t" {
  name                       = "main"
  s3_bucket_name             = "trail-logs"
  is_multi_region_trail      = true
  enable_log_file_validation = true
  kms_key_id                 = aws_kms_key.trail.arn
}

resource "aws_kms_key" "trail" {
  enable_key_rotation = true
}
