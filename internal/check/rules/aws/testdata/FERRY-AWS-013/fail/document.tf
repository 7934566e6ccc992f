data "aws_iam_policy_document" "doc" {
  statement {
    actions   = ["ec2:DescribeInstances", "iam:*"] # want FERRY-AWS-013
    resources = ["*"]
  }
}
