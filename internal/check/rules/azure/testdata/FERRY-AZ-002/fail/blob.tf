resource "azurerm_storage_container" "c" {
  name                  = "data"
  storage_account_name  = "examplesa"
  container_access_type = "blob" # want FERRY-AZ-002
}
