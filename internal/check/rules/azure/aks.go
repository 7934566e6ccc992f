package azure

import (
	"ferry.dev/ferry/internal/check"
	"ferry.dev/ferry/internal/check/tfscan/tfmodel"
)

const tAKS = "azurerm_kubernetes_cluster"

var (
	rAKSRBAC = rule("FERRY-AZ-009", high, "AKS cluster has Kubernetes RBAC disabled",
		"Without RBAC every authenticated identity has full control of the cluster.",
		"Remove role_based_access_control_enabled = false (RBAC is on by default) and manage access with Roles and Entra ID groups.",
		ids("AVD-AZU-0042"), ids("CKV_AZURE_5"))
	rAKSPrivate = rule("FERRY-AZ-010", medium, "AKS cluster API server is not private",
		"A public API server endpoint is reachable from the internet; authentication is then the only barrier.",
		"Set private_cluster_enabled = true, or at least restrict api_server_access_profile authorized_ip_ranges.",
		ids("AVD-AZU-0065"), ids("CKV_AZURE_115"))
	rAKSNetPol = rule("FERRY-AZ-011", medium, "AKS cluster has no network policy",
		"Without a network policy engine, NetworkPolicy objects are ignored and every pod can reach every other pod.",
		"Set network_profile { network_plugin = \"azure\", network_policy = \"azure\" (or \"calico\" / \"cilium\") }.",
		ids("AVD-AZU-0043"), ids("CKV_AZURE_7"))
)

func checkAKSRBAC(c *tfmodel.Config, _ tfmodel.Settings) []check.Finding {
	var out []check.Finding
	for _, r := range c.OfType(tAKS) {
		if on, known := r.Body.Bool("role_based_access_control_enabled", true); known && !on {
			out = append(out, r.Finding(rAKSRBAC, r.Body.RangeOf("role_based_access_control_enabled"), "role_based_access_control_enabled is false"))
		}
		legacy, _ := r.Body.First("role_based_access_control")
		if legacy == nil {
			continue
		}
		if on, known := legacy.Bool("enabled", true); known && !on {
			out = append(out, r.Finding(rAKSRBAC, legacy.RangeOf("enabled"), "role_based_access_control is disabled"))
		}
	}
	return out
}

func checkAKSPrivate(c *tfmodel.Config, _ tfmodel.Settings) []check.Finding {
	var out []check.Finding
	for _, r := range c.OfType(tAKS) {
		if on, known := r.Body.Bool("private_cluster_enabled", false); known && !on {
			out = append(out, r.Finding(rAKSPrivate, r.Body.RangeOf("private_cluster_enabled"), "private_cluster_enabled is not true"))
		}
	}
	return out
}

func checkAKSNetPol(c *tfmodel.Config, _ tfmodel.Settings) []check.Finding {
	var out []check.Finding
	for _, r := range c.OfType(tAKS) {
		np, maybe := r.Body.First("network_profile")
		switch {
		case maybe:
		case np == nil:
			out = append(out, r.Finding(rAKSNetPol, r.Body.Range, "no network_profile with a network_policy"))
		default:
			if p, known := np.String("network_policy", ""); known && p == "" {
				out = append(out, r.Finding(rAKSNetPol, np.Range, "network_profile has no network_policy"))
			}
		}
	}
	return out
}
