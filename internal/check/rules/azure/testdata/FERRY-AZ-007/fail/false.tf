resource "azurerm_key_vault" "kv" {
  name                = "example-kv"
  location            = "westeurope"
  resource_group_name = "rg"
  tenant_id           = "00000000-0000-0000-0000-000000000000"
  sku_name            = "standard"
  network_acls {
    default_action = "Deny"
    bypass         = "AzureServices"
  }
  purge_protection_enabled = false # want FERRY-AZ-007
}
