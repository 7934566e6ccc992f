resource "aws_iam_role_policy" "test_policy" {
  name   = "test_policy"
  role   = "test_role"
  policy = data.aws_iam_policy_document.s3_policy.json
}

# Principals make no sense in an identity policy; attached to a role, the
# statement still grants s3:* on everything.
data "aws_iam_policy_document" "s3_policy" {
  statement {
    principals {
      type        = "AWS"
      identifiers = ["arn:aws:iam::111122223333:root"]
    }
    actions   = ["s3:*"] # want FERRY-AWS-013
    resources = ["*"]
  }
}
