resource "aws_cloudtrail" "t" { # want FERRY-AWS-021
  name                       = "main"
  s3_bucket_name             = "trail-logs"
  is_multi_region_trail      = true
  enable_log_file_validation = true
}
