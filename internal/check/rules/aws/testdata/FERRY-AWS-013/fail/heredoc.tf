resource "aws_iam_role_policy" "s3" {
  role = "app"
  # want-next FERRY-AWS-013
  policy = <<EOF
{
  "Version": "2012-10-17",
  "Statement": {
    "Effect": "Allow",
    "Action": ["s3:*"],
    "Resource": "arn:aws:s3:::example/*"
  }
}
EOF
}
