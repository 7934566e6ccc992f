resource "azurerm_resource_group" "rg" {
  name     = "platform"
  location = "West Europe"
  tags     = { owner = "platform", env = "dev" }
}

resource "azurerm_resource_group" "ne" {
  name     = "platform-ne"
  location = "northeurope"
  tags     = { owner = "platform", env = "dev" }
}
