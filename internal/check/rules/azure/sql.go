package azure

import (
	"ferry.dev/ferry/internal/check"
	"ferry.dev/ferry/internal/check/tfscan/tfmodel"
)

var (
	rSQLTLS = rule("FERRY-AZ-012", medium, "Database server accepts TLS older than 1.2",
		"TLS 1.0 and 1.1 have known weaknesses; clients that negotiate them expose credentials and data.",
		"Set minimum_tls_version = \"1.2\" (azurerm_mssql_server) or ssl_minimal_tls_version_enforced = \"TLS1_2\" (MySQL / PostgreSQL single server).",
		ids("AVD-AZU-0026"), ids("CKV_AZURE_52"))
	rSQLAudit = rule("FERRY-AZ-013", medium, "SQL server auditing is not enabled",
		"Without auditing there is no record of logins, queries and permission changes on the server's databases.",
		"Add an azurerm_mssql_server_extended_auditing_policy for the server (or the inline extended_auditing_policy block).",
		ids("AVD-AZU-0027"), ids("CKV_AZURE_23"))
)

func checkSQLTLS(c *tfmodel.Config, _ tfmodel.Settings) []check.Finding {
	var out []check.Finding
	for _, r := range c.OfType("azurerm_mssql_server") {
		if v, known := r.Body.String("minimum_tls_version", "1.2"); known && v != "1.2" && v != "1.3" {
			out = append(out, r.Finding(rSQLTLS, r.Body.RangeOf("minimum_tls_version"), "minimum_tls_version is "+v))
		}
	}
	for _, typ := range []string{"azurerm_mysql_server", "azurerm_postgresql_server"} {
		for _, r := range c.OfType(typ) {
			if v, known := r.Body.String("ssl_minimal_tls_version_enforced", "TLS1_2"); known && v != "TLS1_2" && v != "TLS1_3" {
				out = append(out, r.Finding(rSQLTLS, r.Body.RangeOf("ssl_minimal_tls_version_enforced"), "ssl_minimal_tls_version_enforced is "+v))
			}
		}
	}
	return out
}

func checkSQLAudit(c *tfmodel.Config, _ tfmodel.Settings) []check.Finding {
	var out []check.Finding
	for _, typ := range []string{"azurerm_mssql_server", "azurerm_sql_server"} {
		for _, r := range c.OfType(typ) {
			if p, maybe := r.Body.First("extended_auditing_policy"); p != nil || maybe {
				continue
			}
			if c.Linked("azurerm_mssql_server_extended_auditing_policy", "server_id", r).Present() {
				continue
			}
			out = append(out, r.Finding(rSQLAudit, r.Body.Range, "server has no extended auditing policy"))
		}
	}
	return out
}
