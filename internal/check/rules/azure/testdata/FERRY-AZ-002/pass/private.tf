resource "azurerm_storage_container" "c" {
  name                  = "data"
  storage_account_name  = "examplesa"
  container_access_type = "private"
}

resource "azurerm_storage_container" "default" {
  name                 = "logs"
  storage_account_name = "examplesa"
}
