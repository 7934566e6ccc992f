package aws

import (
	"strings"

	"ferry.dev/ferry/internal/check"
	"ferry.dev/ferry/internal/check/tfscan/tfmodel"
)

var (
	rRDSEncryption = rule("FERRY-AWS-016", high, "RDS instance storage is not encrypted",
		"Database storage, its automated backups, read replicas and snapshots are unencrypted, and encryption cannot be turned on later without a restore.",
		"Set storage_encrypted = true (with kms_key_id for a customer-managed key).",
		ids("AVD-AWS-0080"), ids("CKV_AWS_16"))
	rRDSClusterEncryption = rule("FERRY-AWS-017", high, "RDS cluster storage is not encrypted",
		"Aurora cluster storage, backups and snapshots are unencrypted, and encryption cannot be turned on later without a restore.",
		"Set storage_encrypted = true (with kms_key_id for a customer-managed key).",
		ids("AVD-AWS-0079"), ids("CKV_AWS_96"))
	rRDSPublic = rule("FERRY-AWS-018", high, "RDS instance is publicly accessible",
		"A publicly accessible database gets a public DNS name and address; one security group change away from the internet.",
		"Set publicly_accessible = false and reach the database from inside the VPC.",
		ids("AVD-AWS-0180"), ids("CKV_AWS_17"))
)

func checkRDSEncryption(c *tfmodel.Config, _ tfmodel.Settings) []check.Finding {
	var out []check.Finding
	for _, r := range c.OfType("aws_db_instance") {
		// Replicas and restores inherit the source's encryption; Aurora
		// members are encrypted (or not) by their cluster.
		if !r.Body.Attr("replicate_source_db").Null() || !r.Body.Attr("snapshot_identifier").Null() {
			continue
		}
		engine, known := r.Body.String("engine", "")
		if !known || strings.HasPrefix(engine, "aurora") {
			continue
		}
		if enc, known := r.Body.Bool("storage_encrypted", false); known && !enc {
			out = append(out, r.Finding(rRDSEncryption, r.Body.RangeOf("storage_encrypted"), "storage_encrypted is not true"))
		}
	}
	return out
}

func checkRDSClusterEncryption(c *tfmodel.Config, _ tfmodel.Settings) []check.Finding {
	var out []check.Finding
	for _, r := range c.OfType("aws_rds_cluster") {
		if !r.Body.Attr("snapshot_identifier").Null() || !r.Body.Attr("replication_source_identifier").Null() {
			continue
		}
		if mode, known := r.Body.String("engine_mode", "provisioned"); !known || mode == "serverless" {
			continue // Aurora Serverless v1 storage is always encrypted
		}
		if enc, known := r.Body.Bool("storage_encrypted", false); known && !enc {
			out = append(out, r.Finding(rRDSClusterEncryption, r.Body.RangeOf("storage_encrypted"), "storage_encrypted is not true"))
		}
	}
	return out
}

func checkRDSPublic(c *tfmodel.Config, _ tfmodel.Settings) []check.Finding {
	var out []check.Finding
	for _, typ := range []string{"aws_db_instance", "aws_rds_cluster_instance"} {
		for _, r := range c.OfType(typ) {
			if pub, known := r.Body.Bool("publicly_accessible", false); known && pub {
				out = append(out, r.Finding(rRDSPublic, r.Body.RangeOf("publicly_accessible"), "publicly_accessible is true"))
			}
		}
	}
	return out
}
