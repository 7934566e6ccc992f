package aws

import (
	"ferry.dev/ferry/internal/check"
	"ferry.dev/ferry/internal/check/tfscan/tfmodel"
)

var (
	rTrailMultiRegion = rule("FERRY-AWS-019", medium, "CloudTrail trail is not multi-region",
		"A single-region trail misses API activity in every other region, where an attacker can work unseen.",
		"Set is_multi_region_trail = true.",
		ids("AVD-AWS-0014"), ids("CKV_AWS_67"))
	rTrailValidation = rule("FERRY-AWS-020", high, "CloudTrail log file validation is not enabled",
		"Without digest files nobody can prove the logs were not altered or deleted after delivery.",
		"Set enable_log_file_validation = true.",
		ids("AVD-AWS-0016"), ids("CKV_AWS_36"))
	rTrailCMK = rule("FERRY-AWS-021", high, "CloudTrail logs are not encrypted with a customer-managed KMS key",
		"With SSE-KMS, reading the audit log needs both S3 and KMS permissions, and key use is itself logged.",
		"Set kms_key_id to the ARN of an aws_kms_key whose policy allows CloudTrail.",
		ids("AVD-AWS-0015"), ids("CKV_AWS_35"))
	rKMSRotation = rule("FERRY-AWS-022", medium, "KMS key rotation is not enabled",
		"Automatic rotation limits how much data one key version protects and is required by most compliance baselines.",
		"Set enable_key_rotation = true on symmetric encryption keys.",
		ids("AVD-AWS-0065"), ids("CKV_AWS_7"))
	rFlowLogs = rule("FERRY-AWS-024", medium, "VPC has no flow logs",
		"Flow logs are the only record of which addresses talked to what inside the VPC, needed to investigate an incident.",
		"Add an aws_flow_log with vpc_id pointing at the VPC.",
		ids("AVD-AWS-0178"), ids("CKV2_AWS_11"))
)

func trailCheck(meta check.Rule, attr, msg string) func(*tfmodel.Config, tfmodel.Settings) []check.Finding {
	return func(c *tfmodel.Config, _ tfmodel.Settings) []check.Finding {
		var out []check.Finding
		for _, r := range c.OfType("aws_cloudtrail") {
			if on, known := r.Body.Bool(attr, false); known && !on {
				out = append(out, r.Finding(meta, r.Body.RangeOf(attr), msg))
			}
		}
		return out
	}
}

var (
	checkTrailMultiRegion = trailCheck(rTrailMultiRegion, "is_multi_region_trail", "is_multi_region_trail is not true")
	checkTrailValidation  = trailCheck(rTrailValidation, "enable_log_file_validation", "enable_log_file_validation is not true")
)

func checkTrailCMK(c *tfmodel.Config, _ tfmodel.Settings) []check.Finding {
	var out []check.Finding
	for _, r := range c.OfType("aws_cloudtrail") {
		if s, known := r.Body.String("kms_key_id", ""); known && s == "" {
			out = append(out, r.Finding(rTrailCMK, r.Body.RangeOf("kms_key_id"), "kms_key_id is not set"))
		}
	}
	return out
}

func checkKMSRotation(c *tfmodel.Config, _ tfmodel.Settings) []check.Finding {
	var out []check.Finding
	for _, r := range c.OfType("aws_kms_key") {
		usage, uk := r.Body.String("key_usage", "ENCRYPT_DECRYPT")
		spec, sk := r.Body.String("customer_master_key_spec", "SYMMETRIC_DEFAULT")
		if !uk || !sk || usage != "ENCRYPT_DECRYPT" || spec != "SYMMETRIC_DEFAULT" {
			continue // asymmetric and HMAC keys cannot rotate automatically
		}
		if on, known := r.Body.Bool("enable_key_rotation", false); known && !on {
			out = append(out, r.Finding(rKMSRotation, r.Body.RangeOf("enable_key_rotation"), "enable_key_rotation is not true"))
		}
	}
	return out
}

func checkFlowLogs(c *tfmodel.Config, _ tfmodel.Settings) []check.Finding {
	var out []check.Finding
	for _, v := range append(c.OfType("aws_vpc"), c.OfType("aws_default_vpc")...) {
		if c.Linked("aws_flow_log", "vpc_id", v).Present() {
			continue
		}
		out = append(out, v.Finding(rFlowLogs, v.Body.Range, "VPC has no aws_flow_log"))
	}
	return out
}
