# Key Vault: RBAC authorization, purge protection, soft delete, network ACLs
# that deny by default and admit only the endpoint subnet and admin networks.
resource "azurerm_key_vault" "main" {
  name                          = "kv-${local.compact_name}"
  location                      = azurerm_resource_group.main.location
  resource_group_name           = azurerm_resource_group.main.name
  tenant_id                     = data.azurerm_client_config.current.tenant_id
  sku_name                      = "premium"
  enable_rbac_authorization     = true
  purge_protection_enabled      = true
  soft_delete_retention_days    = 90
  public_network_access_enabled = true
  tags                          = var.tags

  network_acls {
    default_action             = "Deny"
    bypass                     = "AzureServices"
    ip_rules                   = var.admin_cidrs
    virtual_network_subnet_ids = [azurerm_subnet.endpoints.id]
  }
}

# Customer-managed key for the state storage account.
resource "azurerm_key_vault_key" "storage" {
  name            = "storage-cmk"
  key_vault_id    = azurerm_key_vault.main.id
  key_type        = "RSA-HSM"
  key_size        = 3072
  key_opts        = ["unwrapKey", "wrapKey"]
  expiration_date = timeadd(plantimestamp(), "8760h")

  rotation_policy {
    expire_after         = "P1Y"
    notify_before_expiry = "P30D"

    automatic {
      time_before_expiry = "P30D"
    }
  }

  lifecycle {
    ignore_changes = [expiration_date]
  }

  depends_on = [azurerm_role_assignment.deployer_crypto]
}

# The identity running Terraform manages keys; the storage account's identity
# may only wrap and unwrap with them.
resource "azurerm_role_assignment" "deployer_crypto" {
  scope                = azurerm_key_vault.main.id
  role_definition_name = "Key Vault Crypto Officer"
  principal_id         = data.azurerm_client_config.current.object_id
}

resource "azurerm_role_assignment" "storage_crypto" {
  scope                = azurerm_key_vault.main.id
  role_definition_name = "Key Vault Crypto Service Encryption User"
  principal_id         = azurerm_storage_account.state.identity[0].principal_id
}
