resource "azurerm_storage_account" "sa" {
  name                            = "examplesa"
  resource_group_name             = "rg"
  location                        = "westeurope"
  account_tier                    = "Standard"
  account_replication_type        = "GRS"
  allow_nested_items_to_be_public = false
  min_tls_version                 = "TLS1_0" # want FERRY-AZ-003
}
