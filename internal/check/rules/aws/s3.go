package aws

import (
	"fmt"
	"strings"

	"ferry.dev/ferry/internal/check"
	"ferry.dev/ferry/internal/check/tfscan/tfmodel"
)

const (
	tBucket     = "aws_s3_bucket"
	tPAB        = "aws_s3_bucket_public_access_block"
	tAccountPAB = "aws_s3_account_public_access_block"
	tBucketACL  = "aws_s3_bucket_acl"
	tSSE        = "aws_s3_bucket_server_side_encryption_configuration"
	tVersioning = "aws_s3_bucket_versioning"
	tLogging    = "aws_s3_bucket_logging"
)

var (
	rBlockPublicACLs = rule("FERRY-AWS-001", high, "S3 public access block does not block public ACLs",
		"Without block_public_acls, new public ACLs can be put on the bucket and its objects.",
		"Set block_public_acls = true on the aws_s3_bucket_public_access_block.",
		ids("AVD-AWS-0086"), ids("CKV_AWS_53"))
	rBlockPublicPolicy = rule("FERRY-AWS-002", high, "S3 public access block does not block public policies",
		"Without block_public_policy, a bucket policy granting public access can be attached.",
		"Set block_public_policy = true on the aws_s3_bucket_public_access_block.",
		ids("AVD-AWS-0087"), ids("CKV_AWS_54"))
	rIgnorePublicACLs = rule("FERRY-AWS-003", high, "S3 public access block does not ignore public ACLs",
		"Without ignore_public_acls, existing public ACLs on the bucket and its objects keep granting access.",
		"Set ignore_public_acls = true on the aws_s3_bucket_public_access_block.",
		ids("AVD-AWS-0091"), ids("CKV_AWS_55"))
	rRestrictPublicBuckets = rule("FERRY-AWS-004", high, "S3 public access block does not restrict public buckets",
		"Without restrict_public_buckets, a public bucket policy still grants anonymous and cross-account access.",
		"Set restrict_public_buckets = true on the aws_s3_bucket_public_access_block.",
		ids("AVD-AWS-0093"), ids("CKV_AWS_56"))
	rPABPresent = rule("FERRY-AWS-005", low, "S3 bucket has no public access block",
		"A public access block is the guard rail that keeps a later ACL or policy change from exposing the bucket.",
		"Add an aws_s3_bucket_public_access_block for the bucket with all four settings true (or an account-level aws_s3_account_public_access_block).",
		ids("AVD-AWS-0094"), ids("CKV2_AWS_6"))
	rPublicACL = rule("FERRY-AWS-006", high, "S3 bucket has a public ACL",
		"The canned ACLs public-read, public-read-write and authenticated-read (or grants to AllUsers / AuthenticatedUsers) let anyone read or write the bucket.",
		"Use the private ACL (or none, with object ownership enforced) and serve public content through CloudFront with origin access control.",
		ids("AVD-AWS-0092"), ids("CKV_AWS_20", "CKV_AWS_57"))
	rS3Encryption = rule("FERRY-AWS-007", high, "S3 bucket has no server-side encryption configuration",
		"An explicit encryption configuration documents and enforces how objects are encrypted at rest.",
		"Add an aws_s3_bucket_server_side_encryption_configuration (or the inline block on provider v3) with sse_algorithm aws:kms.",
		ids("AVD-AWS-0088"), ids("CKV_AWS_19"))
	rS3CMK = rule("FERRY-AWS-008", high, "S3 bucket is not encrypted with a customer-managed KMS key",
		"With a customer-managed key you control rotation, key policy and access logging, and can revoke access to the data.",
		"Set sse_algorithm = \"aws:kms\" and kms_master_key_id to an aws_kms_key you manage.",
		ids("AVD-AWS-0132"), ids("CKV_AWS_145"))
	rS3Versioning = rule("FERRY-AWS-009", medium, "S3 bucket versioning is not enabled",
		"Versioning keeps earlier object versions so that an overwrite or delete, accidental or malicious, can be undone.",
		"Add an aws_s3_bucket_versioning with versioning_configuration { status = \"Enabled\" }.",
		ids("AVD-AWS-0090"), ids("CKV_AWS_21"))
	rS3Logging = rule("FERRY-AWS-010", medium, "S3 bucket access logging is not enabled",
		"Server access logs are the record of who read or changed objects, needed to investigate an incident.",
		"Add an aws_s3_bucket_logging that sends access logs to a dedicated log bucket.",
		ids("AVD-AWS-0089"), ids("CKV_AWS_18"))
)

// s3PABRule checks one of the four settings of bucket and account public
// access blocks; each defaults to false.
func s3PABRule(meta check.Rule, attr string) tfmodel.Rule {
	return tfmodel.Rule{Rule: meta, Check: func(c *tfmodel.Config, _ tfmodel.Settings) []check.Finding {
		var out []check.Finding
		for _, typ := range []string{tPAB, tAccountPAB} {
			for _, r := range c.OfType(typ) {
				if v, known := r.Body.Bool(attr, false); known && !v {
					out = append(out, r.Finding(meta, r.Body.RangeOf(attr), fmt.Sprintf("%s is not true", attr)))
				}
			}
		}
		return out
	}}
}

// bucketNames are a bucket's known identifiers, for matching resources
// that name it by a literal rather than a reference.
func bucketNames(b *tfmodel.Resource) []string {
	if s, ok := b.Body.String("bucket", ""); ok && s != "" {
		return []string{s}
	}
	return nil
}

// links finds the split S3 resources of a type pointing at bucket b.
func links(c *tfmodel.Config, typ string, b *tfmodel.Resource) tfmodel.Links {
	return c.Linked(typ, "bucket", b, bucketNames(b)...)
}

func checkPABPresent(c *tfmodel.Config, _ tfmodel.Settings) []check.Finding {
	if len(c.OfType(tAccountPAB)) > 0 {
		return nil
	}
	var out []check.Finding
	for _, b := range c.OfType(tBucket) {
		if !links(c, tPAB, b).Present() {
			out = append(out, b.Finding(rPABPresent, b.Body.Range, "bucket has no aws_s3_bucket_public_access_block"))
		}
	}
	return out
}

var publicCannedACLs = map[string]bool{"public-read": true, "public-read-write": true, "authenticated-read": true}

func publicGrantee(uri string) bool {
	return strings.HasSuffix(uri, "/global/AllUsers") || strings.HasSuffix(uri, "/global/AuthenticatedUsers")
}

// aclNeutralised reports whether a public access block on the bucket (or
// the account) makes public ACLs ineffective.
func aclNeutralised(c *tfmodel.Config, b *tfmodel.Resource) bool {
	// Any linked block counts, even one whose existence is uncertain: the
	// ACL may be neutralised, and no finding is guessed.
	pabs := append(links(c, tPAB, b).Linked, c.OfType(tAccountPAB)...)
	for _, p := range pabs {
		if v, known := p.Body.Bool("ignore_public_acls", false); known && v {
			return true
		}
		if v, known := p.Body.Bool("block_public_acls", false); known && v {
			return true
		}
	}
	return false
}

func checkPublicACL(c *tfmodel.Config, _ tfmodel.Settings) []check.Finding {
	var out []check.Finding
	for _, b := range c.OfType(tBucket) {
		if aclNeutralised(c, b) {
			continue
		}
		out = append(out, publicACLFindings(b, b.Body)...)
	}
	for _, a := range c.OfType(tBucketACL) {
		if targets := bucketsOf(c, a); len(targets) == 1 && aclNeutralised(c, targets[0]) {
			continue
		}
		out = append(out, publicACLFindings(a, a.Body)...)
		if acp, _ := a.Body.First("access_control_policy"); acp != nil {
			out = append(out, publicACLFindings(a, acp)...)
		}
	}
	return out
}

// publicACLFindings reports a public canned acl or public grants in body.
func publicACLFindings(r *tfmodel.Resource, body *tfmodel.Block) []check.Finding {
	var out []check.Finding
	if acl, known := body.String("acl", ""); known && publicCannedACLs[acl] {
		out = append(out, r.Finding(rPublicACL, body.RangeOf("acl"), fmt.Sprintf("canned ACL %q makes the bucket public", acl)))
	}
	grants, _ := body.Nested("grant")
	for _, g := range grants {
		uri, known := g.String("uri", "")
		at := g.RangeOf("uri")
		if ge, _ := g.First("grantee"); ge != nil {
			uri, known = ge.String("uri", "")
			at = ge.RangeOf("uri")
		}
		if known && publicGrantee(uri) {
			out = append(out, r.Finding(rPublicACL, at, "ACL grant to "+uri[strings.LastIndex(uri, "/")+1:]))
		}
	}
	return out
}

// bucketsOf resolves the buckets a split S3 resource's bucket argument
// refers to.
func bucketsOf(c *tfmodel.Config, r *tfmodel.Resource) []*tfmodel.Resource {
	a := r.Body.Attr("bucket")
	if a == nil {
		return nil
	}
	var out []*tfmodel.Resource
	for _, ref := range a.Refs {
		if ref.Type == tBucket && ref.Mode == tfmodel.Managed {
			out = append(out, c.Resolve(ref)...)
		}
	}
	if name, ok := tfmodel.AsString(a.Value); ok && len(out) == 0 {
		for _, b := range c.OfType(tBucket) {
			if n := bucketNames(b); len(n) == 1 && n[0] == name {
				out = append(out, b)
			}
		}
	}
	return out
}

func checkS3Encryption(c *tfmodel.Config, _ tfmodel.Settings) []check.Finding {
	var out []check.Finding
	for _, b := range c.OfType(tBucket) {
		if inline, maybe := b.Body.First("server_side_encryption_configuration"); inline != nil || maybe {
			continue
		}
		if links(c, tSSE, b).Present() {
			continue
		}
		out = append(out, b.Finding(rS3Encryption, b.Body.Range, "bucket has no server-side encryption configuration"))
	}
	return out
}
