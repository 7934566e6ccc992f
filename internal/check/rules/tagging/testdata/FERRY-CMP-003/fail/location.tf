resource "azurerm_resource_group" "rg" {
  name     = "platform"
  location = "East US" # want FERRY-CMP-003
  tags     = { owner = "platform", env = "dev" }
}
