resource "azurerm_postgresql_server" "pg" {
  name                             = "example-pg"
  location                         = "westeurope"
  resource_group_name              = "rg"
  sku_name                         = "GP_Gen5_2"
  version                          = "11"
  ssl_enforcement_enabled          = true
  ssl_minimal_tls_version_enforced = "TLS1_1" # want FERRY-AZ-012
}
