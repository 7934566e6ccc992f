resource "azurerm_network_security_rule" "range" {
  name                        = "range"
  priority                    = 100
  direction                   = "Inbound"
  access                      = "Allow"
  protocol                    = "Tcp"
  source_port_range           = "*"
  destination_port_ranges     = ["20-25", "443"]
  source_address_prefix       = "Internet" # want FERRY-AZ-005
  destination_address_prefix  = "*"
  resource_group_name         = "rg"
  network_security_group_name = "nsg"
}
