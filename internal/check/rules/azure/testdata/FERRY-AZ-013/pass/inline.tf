resource "azurerm_mssql_server" "sql" {
  name                = "example-sql"
  resource_group_name = "rg"
  location            = "westeurope"
  version             = "12.0"
  minimum_tls_version = "1.2"
  extended_auditing_policy {
    retention_in_days = 90
  }
}
