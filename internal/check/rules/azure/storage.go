package azure

import (
	"ferry.dev/ferry/internal/check"
	"ferry.dev/ferry/internal/check/tfscan/tfmodel"
)

var (
	rStoragePublic = rule("FERRY-AZ-001", high, "Storage account allows public blob access",
		"With nested items allowed to be public (the azurerm 3.x and 4.x default), one container setting exposes its blobs to anonymous readers.",
		"Set allow_nested_items_to_be_public = false (allow_blob_public_access = false on azurerm 2.x).",
		nil, ids("CKV_AZURE_190"))
	rContainerPublic = rule("FERRY-AZ-002", high, "Storage container allows anonymous access",
		"container_access_type blob or container lets anyone on the internet read (and, for container, list) the blobs.",
		"Set container_access_type = \"private\" and grant access with SAS tokens or Entra ID roles.",
		ids("AVD-AZU-0007"), ids("CKV_AZURE_34"))
	rStorageTLS = rule("FERRY-AZ-003", high, "Storage account accepts TLS older than 1.2",
		"TLS 1.0 and 1.1 have known weaknesses and are retired by Azure.",
		"Set min_tls_version = \"TLS1_2\".",
		ids("AVD-AZU-0011"), ids("CKV_AZURE_44"))
	rStorageHTTPS = rule("FERRY-AZ-004", high, "Storage account accepts plain HTTP",
		"Without secure transfer, data and shared keys or SAS tokens cross the network in clear text.",
		"Set https_traffic_only_enabled = true (enable_https_traffic_only on azurerm 3.x), which is the default.",
		ids("AVD-AZU-0008"), ids("CKV_AZURE_3"))
)

func checkStoragePublic(c *tfmodel.Config, _ tfmodel.Settings) []check.Finding {
	var out []check.Finding
	for _, r := range c.OfType("azurerm_storage_account") {
		if a := r.Body.Attr("allow_blob_public_access"); a != nil && r.Body.Attr("allow_nested_items_to_be_public") == nil {
			if on, known := tfmodel.AsBool(a.Value); known && on {
				out = append(out, r.Finding(rStoragePublic, a.Range, "allow_blob_public_access is true"))
			}
			continue
		}
		if on, known := r.Body.Bool("allow_nested_items_to_be_public", true); known && on {
			out = append(out, r.Finding(rStoragePublic, r.Body.RangeOf("allow_nested_items_to_be_public"),
				"allow_nested_items_to_be_public is not false"))
		}
	}
	return out
}

func checkContainerPublic(c *tfmodel.Config, _ tfmodel.Settings) []check.Finding {
	var out []check.Finding
	for _, r := range c.OfType("azurerm_storage_container") {
		if t, known := r.Body.String("container_access_type", "private"); known && (t == "blob" || t == "container") {
			out = append(out, r.Finding(rContainerPublic, r.Body.RangeOf("container_access_type"),
				"container_access_type is "+t))
		}
	}
	return out
}

func checkStorageTLS(c *tfmodel.Config, _ tfmodel.Settings) []check.Finding {
	var out []check.Finding
	for _, r := range c.OfType("azurerm_storage_account") {
		if v, known := r.Body.String("min_tls_version", "TLS1_2"); known && (v == "TLS1_0" || v == "TLS1_1") {
			out = append(out, r.Finding(rStorageTLS, r.Body.RangeOf("min_tls_version"), "min_tls_version is "+v))
		}
	}
	return out
}

func checkStorageHTTPS(c *tfmodel.Config, _ tfmodel.Settings) []check.Finding {
	var out []check.Finding
	for _, r := range c.OfType("azurerm_storage_account") {
		for _, attr := range []string{"https_traffic_only_enabled", "enable_https_traffic_only"} {
			if on, known := r.Body.Bool(attr, true); known && !on {
				out = append(out, r.Finding(rStorageHTTPS, r.Body.RangeOf(attr), attr+" is false"))
			}
		}
	}
	return out
}
