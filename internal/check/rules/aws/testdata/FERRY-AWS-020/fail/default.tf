resource "aws_cloudtrail" "t" { # want FERRY-AWS-020
  name                  = "main"
  s3_bucket_name        = "trail-logs"
  is_multi_region_trail = true
  kms_key_id            = "arn:aws:kms:eu-west-1:111122223333:key/abcd"
}
