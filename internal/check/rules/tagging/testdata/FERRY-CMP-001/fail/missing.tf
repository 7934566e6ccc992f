resource "aws_sns_topic" "t" {
  name = "alerts"
  tags = { owner = "platform" } # want FERRY-CMP-001
}

resource "aws_sqs_queue" "q" { # want FERRY-CMP-001
  name = "jobs"
}

resource "azurerm_resource_group" "rg" { # want FERRY-CMP-001
  name     = "platform"
  location = "westeurope"
}
