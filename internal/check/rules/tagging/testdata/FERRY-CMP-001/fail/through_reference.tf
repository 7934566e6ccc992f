# Tags taken from another resource are judged by its tags.
resource "azurerm_resource_group" "rg" {
  name     = "platform"
  location = "westeurope"
  tags     = { owner = "platform" } # want FERRY-CMP-001
}

resource "azurerm_storage_account" "sa" {
  name                            = "platformsa"
  resource_group_name             = azurerm_resource_group.rg.name
  location                        = azurerm_resource_group.rg.location
  account_tier                    = "Standard"
  account_replication_type        = "LRS"
  allow_nested_items_to_be_public = false
  tags                            = azurerm_resource_group.rg.tags # want FERRY-CMP-001
}
