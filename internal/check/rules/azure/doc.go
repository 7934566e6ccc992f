// Package azure holds ferry's built-in Terraform rules for azurerm
// resources (FERRY-AZ-*): storage accounts and containers, network
// security groups, Key Vault, AKS and Azure SQL. Rules read the evaluated
// configuration from tfmodel and report only what known values show. It
// does not load HCL or apply suppressions.
package azure
