resource "aws_cloudtrail" "t" { # want FERRY-AWS-019
  name                       = "main"
  s3_bucket_name             = "trail-logs"
  enable_log_file_validation = true
  kms_key_id                 = "arn:aws:kms:eu-west-1:111122223333:key/abcd"
}
