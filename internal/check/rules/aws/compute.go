package aws

import (
	"ferry.dev/ferry/internal/check"
	"ferry.dev/ferry/internal/check/tfscan/tfmodel"
)

var (
	rEBSEncryption = rule("FERRY-AWS-014", high, "EBS volume is not encrypted",
		"An unencrypted volume and every snapshot taken from it expose data to anyone who can read the snapshot or the disk.",
		"Set encrypted = true (with kms_key_id for a customer-managed key), or enable aws_ebs_encryption_by_default for the account.",
		ids("AVD-AWS-0026"), ids("CKV_AWS_3"))
	rEC2RootEncryption = rule("FERRY-AWS-015", high, "EC2 instance block device is not encrypted",
		"Root and data volumes of instances hold application data, credentials and logs; unencrypted they leak through snapshots and AMIs.",
		"Add root_block_device { encrypted = true } (and encrypted = true on each ebs_block_device), or enable aws_ebs_encryption_by_default.",
		ids("AVD-AWS-0131", "AVD-AWS-0008"), ids("CKV_AWS_8"))
	rIMDSv2 = rule("FERRY-AWS-023", high, "Instance metadata service does not require IMDSv2 tokens",
		"IMDSv1 answers any request from the instance, so an SSRF bug in the workload is enough to steal the instance role's credentials.",
		"Add metadata_options { http_tokens = \"required\" } (or http_endpoint = \"disabled\").",
		ids("AVD-AWS-0028", "AVD-AWS-0130"), ids("CKV_AWS_79"))
)

// encryptedByDefault reports whether the configuration turns on EBS
// encryption by default for the account (enabled defaults to true).
func encryptedByDefault(c *tfmodel.Config) bool {
	for _, r := range c.OfType("aws_ebs_encryption_by_default") {
		if on, known := r.Body.Bool("enabled", true); !known || on {
			return true
		}
	}
	return false
}

func checkEBSEncryption(c *tfmodel.Config, _ tfmodel.Settings) []check.Finding {
	if encryptedByDefault(c) {
		return nil
	}
	var out []check.Finding
	for _, v := range c.OfType("aws_ebs_volume") {
		if !v.Body.Attr("snapshot_id").Null() {
			continue // inherits the snapshot's encryption
		}
		if enc, known := v.Body.Bool("encrypted", false); known && !enc {
			out = append(out, v.Finding(rEBSEncryption, v.Body.RangeOf("encrypted"), "volume is not encrypted"))
		}
	}
	return out
}

func checkEC2RootEncryption(c *tfmodel.Config, _ tfmodel.Settings) []check.Finding {
	if encryptedByDefault(c) {
		return nil
	}
	var out []check.Finding
	for _, typ := range []string{"aws_instance", "aws_launch_configuration"} {
		for _, r := range c.OfType(typ) {
			root, maybe := r.Body.First("root_block_device")
			switch {
			case maybe:
			case root == nil:
				out = append(out, r.Finding(rEC2RootEncryption, r.Body.Range, "root block device is not encrypted (no root_block_device with encrypted = true)"))
			default:
				if enc, known := root.Bool("encrypted", false); known && !enc {
					out = append(out, r.Finding(rEC2RootEncryption, root.RangeOf("encrypted"), "root block device is not encrypted"))
				}
			}
			devs, _ := r.Body.Nested("ebs_block_device")
			for _, d := range devs {
				if !d.Attr("snapshot_id").Null() {
					continue
				}
				if enc, known := d.Bool("encrypted", false); known && !enc {
					out = append(out, r.Finding(rEC2RootEncryption, d.RangeOf("encrypted"), "EBS block device is not encrypted"))
				}
			}
		}
	}
	return out
}

func checkIMDSv2(c *tfmodel.Config, _ tfmodel.Settings) []check.Finding {
	var out []check.Finding
	for _, typ := range []string{"aws_instance", "aws_launch_template", "aws_launch_configuration"} {
		for _, r := range c.OfType(typ) {
			md, maybe := r.Body.First("metadata_options")
			if maybe {
				continue
			}
			if md == nil {
				out = append(out, r.Finding(rIMDSv2, r.Body.Range, "no metadata_options: IMDSv1 is allowed"))
				continue
			}
			if ep, known := md.String("http_endpoint", "enabled"); !known || ep == "disabled" {
				continue
			}
			if tok, known := md.String("http_tokens", "optional"); known && tok != "required" {
				out = append(out, r.Finding(rIMDSv2, md.RangeOf("http_tokens"), "http_tokens is not \"required\": IMDSv1 is allowed"))
			}
		}
	}
	return out
}
