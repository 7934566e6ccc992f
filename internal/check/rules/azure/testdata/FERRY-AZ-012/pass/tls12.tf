resource "azurerm_mssql_server" "sql" {
  name                = "example-sql"
  resource_group_name = "rg"
  location            = "westeurope"
  version             = "12.0"
  minimum_tls_version = "1.2"
}

resource "azurerm_mssql_server_extended_auditing_policy" "audit" {
  server_id              = azurerm_mssql_server.sql.id
  storage_endpoint       = "https://examplesa.blob.core.windows.net/"
  retention_in_days      = 90
  log_monitoring_enabled = true
}
