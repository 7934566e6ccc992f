package azure

import (
	"ferry.dev/ferry/internal/check"
	"ferry.dev/ferry/internal/check/tfscan/tfmodel"
	"ferry.dev/ferry/internal/platform"
)

const (
	medium   = platform.SeverityMedium
	high     = platform.SeverityHigh
	critical = platform.SeverityCritical
)

// Rules returns every Azure rule in ID order.
func Rules() []tfmodel.Rule {
	return []tfmodel.Rule{
		{Rule: rStoragePublic, Check: checkStoragePublic},
		{Rule: rContainerPublic, Check: checkContainerPublic},
		{Rule: rStorageTLS, Check: checkStorageTLS},
		{Rule: rStorageHTTPS, Check: checkStorageHTTPS},
		{Rule: rNSGSSH, Check: nsgCheck(rNSGSSH, 22)},
		{Rule: rNSGRDP, Check: nsgCheck(rNSGRDP, 3389)},
		{Rule: rKVPurge, Check: checkKVPurge},
		{Rule: rKVNetwork, Check: checkKVNetwork},
		{Rule: rAKSRBAC, Check: checkAKSRBAC},
		{Rule: rAKSPrivate, Check: checkAKSPrivate},
		{Rule: rAKSNetPol, Check: checkAKSNetPol},
		{Rule: rSQLTLS, Check: checkSQLTLS},
		{Rule: rSQLAudit, Check: checkSQLAudit},
	}
}

func rule(id string, sev platform.Severity, title, rationale, remediation string, trivy, checkov []string) check.Rule {
	return check.Rule{ID: id, Domain: "azure", Severity: sev, Title: title, Rationale: rationale,
		Remediation: remediation, TrivyIDs: trivy, CheckovIDs: checkov}
}

func ids(s ...string) []string { return s }
