resource "azurerm_mssql_server" "sql" { # want FERRY-AZ-013
  name                = "example-sql"
  resource_group_name = "rg"
  location            = "westeurope"
  version             = "12.0"
  minimum_tls_version = "1.2"
}
