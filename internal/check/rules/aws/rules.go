package aws

import (
	"ferry.dev/ferry/internal/check"
	"ferry.dev/ferry/internal/check/tfscan/tfmodel"
	"ferry.dev/ferry/internal/platform"
)

const (
	low      = platform.SeverityLow
	medium   = platform.SeverityMedium
	high     = platform.SeverityHigh
	critical = platform.SeverityCritical
)

// Rules returns every AWS rule in ID order.
func Rules() []tfmodel.Rule {
	return []tfmodel.Rule{
		s3PABRule(rBlockPublicACLs, "block_public_acls"),
		s3PABRule(rBlockPublicPolicy, "block_public_policy"),
		s3PABRule(rIgnorePublicACLs, "ignore_public_acls"),
		s3PABRule(rRestrictPublicBuckets, "restrict_public_buckets"),
		{Rule: rPABPresent, Check: checkPABPresent},
		{Rule: rPublicACL, Check: checkPublicACL},
		{Rule: rS3Encryption, Check: checkS3Encryption},
		{Rule: rS3CMK, Check: checkS3CMK},
		{Rule: rS3Versioning, Check: checkS3Versioning},
		{Rule: rS3Logging, Check: checkS3Logging},
		{Rule: rSGAdminPorts, Check: checkSGAdminPorts},
		{Rule: rSGEgress, Check: checkSGEgress},
		{Rule: rIAMWildcard, Check: checkIAMWildcard},
		{Rule: rEBSEncryption, Check: checkEBSEncryption},
		{Rule: rEC2RootEncryption, Check: checkEC2RootEncryption},
		{Rule: rRDSEncryption, Check: checkRDSEncryption},
		{Rule: rRDSClusterEncryption, Check: checkRDSClusterEncryption},
		{Rule: rRDSPublic, Check: checkRDSPublic},
		{Rule: rTrailMultiRegion, Check: checkTrailMultiRegion},
		{Rule: rTrailValidation, Check: checkTrailValidation},
		{Rule: rTrailCMK, Check: checkTrailCMK},
		{Rule: rKMSRotation, Check: checkKMSRotation},
		{Rule: rIMDSv2, Check: checkIMDSv2},
		{Rule: rFlowLogs, Check: checkFlowLogs},
		{Rule: rEKSPublic, Check: checkEKSPublic},
		{Rule: rEKSPublicCIDR, Check: checkEKSPublicCIDR},
		{Rule: rEKSSecrets, Check: checkEKSSecrets},
		{Rule: rEKSLogging, Check: checkEKSLogging},
	}
}

func rule(id string, sev platform.Severity, title, rationale, remediation string, trivy, checkov []string) check.Rule {
	return check.Rule{ID: id, Domain: "aws", Severity: sev, Title: title, Rationale: rationale,
		Remediation: remediation, TrivyIDs: trivy, CheckovIDs: checkov}
}

func ids(s ...string) []string { return s }
