variable "acl" {
  type = string
}

resource "aws_sns_topic" "t" {
  name = "topic-${var.acl}"
}

resource "aws_s3_bucket_acl" "a" {
  bucket = "example"
  acl    = var.acl # want FERRY-AWS-006
}
