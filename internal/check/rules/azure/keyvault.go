package azure

import (
	"ferry.dev/ferry/internal/check"
	"ferry.dev/ferry/internal/check/tfscan/tfmodel"
)

var (
	rKVPurge = rule("FERRY-AZ-007", medium, "Key Vault purge protection is not enabled",
		"Without purge protection a deleted vault or key can be purged at once, destroying every secret and everything encrypted with its keys.",
		"Set purge_protection_enabled = true (soft delete, always on in current azurerm, must stay on).",
		ids("AVD-AZU-0016"), ids("CKV_AZURE_110", "CKV_AZURE_42"))
	rKVNetwork = rule("FERRY-AZ-008", medium, "Key Vault network ACL does not deny by default",
		"Without network_acls { default_action = \"Deny\" } the vault's data plane is reachable from any network.",
		"Add network_acls { default_action = \"Deny\", bypass = \"AzureServices\" } with the allowed subnets and addresses.",
		ids("AVD-AZU-0013"), ids("CKV_AZURE_109"))
)

func checkKVPurge(c *tfmodel.Config, _ tfmodel.Settings) []check.Finding {
	var out []check.Finding
	for _, r := range c.OfType("azurerm_key_vault") {
		if on, known := r.Body.Bool("soft_delete_enabled", true); known && !on {
			out = append(out, r.Finding(rKVPurge, r.Body.RangeOf("soft_delete_enabled"), "soft_delete_enabled is false"))
			continue
		}
		if on, known := r.Body.Bool("purge_protection_enabled", false); known && !on {
			out = append(out, r.Finding(rKVPurge, r.Body.RangeOf("purge_protection_enabled"), "purge_protection_enabled is not true"))
		}
	}
	return out
}

func checkKVNetwork(c *tfmodel.Config, _ tfmodel.Settings) []check.Finding {
	var out []check.Finding
	for _, r := range c.OfType("azurerm_key_vault") {
		acl, maybe := r.Body.First("network_acls")
		switch {
		case maybe:
		case acl == nil:
			out = append(out, r.Finding(rKVNetwork, r.Body.Range, "no network_acls block"))
		default:
			if act, known := acl.String("default_action", ""); known && act != "Deny" {
				out = append(out, r.Finding(rKVNetwork, acl.RangeOf("default_action"), "network_acls default_action is "+act))
			}
		}
	}
	return out
}
