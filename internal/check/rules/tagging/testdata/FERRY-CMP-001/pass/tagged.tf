locals {
  tags = { owner = "platform", env = "dev" }
}

resource "aws_sns_topic" "t" {
  name = "alerts"
  tags = local.tags
}

resource "azurerm_resource_group" "rg" {
  name     = "platform"
  location = "westeurope"
  tags     = merge(local.tags, { team = "core" })
}

resource "aws_iam_role_policy_attachment" "not_taggable" {
  role       = "app"
  policy_arn = "arn:aws:iam::aws:policy/ReadOnlyAccess"
}
