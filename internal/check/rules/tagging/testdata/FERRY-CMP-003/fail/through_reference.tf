# A location taken from another resource is judged by that resource's value,
# through a local and through a second resource too.
resource "azurerm_resource_group" "rg" {
  name     = "platform"
  location = var.location # want FERRY-CMP-003
  tags     = { owner = "platform", env = "dev" }
}

variable "location" {
  default = "East US"
}

locals {
  loc = azurerm_resource_group.rg.location
}

resource "azurerm_storage_account" "sa" {
  name                            = "platformsa"
  resource_group_name             = azurerm_resource_group.rg.name
  location                        = azurerm_resource_group.rg.location # want FERRY-CMP-003
  account_tier                    = "Standard"
  account_replication_type        = "LRS"
  allow_nested_items_to_be_public = false
  tags                            = azurerm_resource_group.rg.tags
}

resource "azurerm_virtual_network" "vnet" {
  name                = "platform"
  resource_group_name = azurerm_resource_group.rg.name
  location            = local.loc # want FERRY-CMP-003
  address_space       = ["10.0.0.0/16"]
  tags                = azurerm_resource_group.rg.tags
}

resource "azurerm_subnet_network_security_group_association" "chain" {
  subnet_id                 = "x"
  network_security_group_id = "y"
}

resource "azurerm_network_security_group" "nsg" {
  name                = "platform"
  resource_group_name = azurerm_resource_group.rg.name
  location            = azurerm_virtual_network.vnet.location # want FERRY-CMP-003
  tags                = azurerm_resource_group.rg.tags
}
