# An allowed location reached through a reference passes; one that is not
# known before apply (a data source's) is not judged.
data "azurerm_resource_group" "existing" {
  name = "shared"
}

resource "azurerm_resource_group" "rg" {
  name     = "platform"
  location = "West Europe"
  tags     = { owner = "platform", env = "dev" }
}

resource "azurerm_storage_account" "sa" {
  name                            = "platformsa"
  resource_group_name             = azurerm_resource_group.rg.name
  location                        = azurerm_resource_group.rg.location
  account_tier                    = "Standard"
  account_replication_type        = "LRS"
  allow_nested_items_to_be_public = false
  tags                            = azurerm_resource_group.rg.tags
}

resource "azurerm_virtual_network" "vnet" {
  name                = "platform"
  resource_group_name = data.azurerm_resource_group.existing.name
  location            = data.azurerm_resource_group.existing.location
  address_space       = ["10.0.0.0/16"]
  tags                = azurerm_resource_group.rg.tags
}

resource "azurerm_network_security_group" "nsg" {
  name                = "platform"
  resource_group_name = azurerm_resource_group.rg.name
  location            = azurerm_virtual_network.vnet.location
  tags                = azurerm_resource_group.rg.tags
}
