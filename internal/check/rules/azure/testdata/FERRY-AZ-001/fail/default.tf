resource "azurerm_storage_account" "sa" { # want FERRY-AZ-001
  name                     = "examplesa"
  resource_group_name      = "rg"
  location                 = "westeurope"
  account_tier             = "Standard"
  account_replication_type = "GRS"
}
