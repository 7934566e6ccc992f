resource "azurerm_key_vault" "kv" { # want FERRY-AZ-008
  name                     = "example-kv"
  location                 = "westeurope"
  resource_group_name      = "rg"
  tenant_id                = "00000000-0000-0000-0000-000000000000"
  sku_name                 = "standard"
  purge_protection_enabled = true
}
