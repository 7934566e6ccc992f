package aws

import (
	"slices"
	"strings"

	"ferry.dev/ferry/internal/check"
	"ferry.dev/ferry/internal/check/tfscan/tfmodel"
)

// logDeliveryBucket reports whether b is a bucket that receives S3 server
// access logs: its ACL grants log delivery, or a logging configuration
// targets it. Such buckets can neither use SSE-KMS for log delivery nor
// sensibly log to themselves.
func logDeliveryBucket(c *tfmodel.Config, b *tfmodel.Resource) bool {
	if acl, known := b.Body.String("acl", ""); known && acl == "log-delivery-write" {
		return true
	}
	for _, a := range links(c, tBucketACL, b).Certain() {
		if acl, known := a.Body.String("acl", ""); known && acl == "log-delivery-write" {
			return true
		}
	}
	if grantsLogDelivery(c, b) {
		return true
	}
	names := bucketNames(b)
	targets := func(blk *tfmodel.Block) bool {
		t := blk.Attr("target_bucket")
		if t == nil {
			return false
		}
		if t.RefersTo(b) {
			return true
		}
		s, ok := tfmodel.AsString(t.Value)
		return ok && len(names) == 1 && s == names[0]
	}
	for _, o := range c.OfType(tBucket) {
		if lg, _ := o.Body.First("logging"); lg != nil && targets(lg) {
			return true
		}
	}
	for _, l := range c.OfType(tLogging) {
		if targets(l.Body) {
			return true
		}
	}
	return false
}

const logDeliveryGroup = "http://acs.amazonaws.com/groups/s3/LogDelivery"

// grantsLogDelivery reports whether the bucket's ACL grants the S3 log
// delivery group, or its bucket policy lets the logging service write.
func grantsLogDelivery(c *tfmodel.Config, b *tfmodel.Resource) bool {
	bodies := []*tfmodel.Block{b.Body}
	for _, a := range links(c, tBucketACL, b).Certain() {
		if acp, _ := a.Body.First("access_control_policy"); acp != nil {
			bodies = append(bodies, acp)
		}
	}
	for _, body := range bodies {
		grants, _ := body.Nested("grant")
		for _, g := range grants {
			uri, _ := g.String("uri", "")
			if ge, _ := g.First("grantee"); ge != nil {
				uri, _ = ge.String("uri", "")
			}
			if uri == logDeliveryGroup {
				return true
			}
		}
	}
	for _, p := range c.Linked("aws_s3_bucket_policy", "bucket", b, bucketNames(b)...).Certain() {
		a := p.Body.Attr("policy")
		if doc, ok := tfmodel.AsString(a.Value); ok && strings.Contains(doc, "logging.s3.amazonaws.com") {
			return true
		}
		for _, ref := range a.Refs {
			for _, d := range c.Resolve(ref) {
				if ref.Type == "aws_iam_policy_document" && documentNamesService(d, "logging.s3.amazonaws.com") {
					return true
				}
			}
		}
	}
	return false
}

// documentNamesService reports whether a policy document has a principal
// that is the given service.
func documentNamesService(d *tfmodel.Resource, service string) bool {
	stmts, _ := d.Body.Nested("statement")
	for _, s := range stmts {
		ps, _ := s.Nested("principals")
		for _, p := range ps {
			ids, _ := p.Strings("identifiers")
			if slices.Contains(ids, service) {
				return true
			}
		}
	}
	return false
}

// sseDefaults returns the apply_server_side_encryption_by_default blocks
// that apply to bucket b, and whether they can be determined.
func sseDefaults(c *tfmodel.Config, b *tfmodel.Resource) (defs []*tfmodel.Block, at *tfmodel.Resource, known bool) {
	collect := func(cfg *tfmodel.Block) bool {
		rules, maybe := cfg.Nested("rule")
		if maybe {
			return false
		}
		for _, r := range rules {
			d, maybe := r.First("apply_server_side_encryption_by_default")
			if maybe {
				return false
			}
			if d != nil {
				defs = append(defs, d)
			}
		}
		return true
	}
	inline, maybe := b.Body.First("server_side_encryption_configuration")
	if maybe {
		return nil, nil, false
	}
	if inline != nil {
		return defs, b, collect(inline)
	}
	l := links(c, tSSE, b)
	certain := l.Certain()
	if l.Unresolved || len(certain) != len(l.Linked) {
		return nil, nil, false
	}
	for _, s := range certain {
		if !collect(s.Body) {
			return nil, nil, false
		}
		at = s
	}
	return defs, at, true
}

func checkS3CMK(c *tfmodel.Config, _ tfmodel.Settings) []check.Finding {
	var out []check.Finding
	for _, b := range c.OfType(tBucket) {
		if logDeliveryBucket(c, b) {
			continue
		}
		defs, at, known := sseDefaults(c, b)
		if !known {
			continue
		}
		if len(defs) == 0 {
			out = append(out, b.Finding(rS3CMK, b.Body.Range, "bucket has no default encryption with a customer-managed KMS key"))
			continue
		}
		for _, d := range defs {
			alg, known := d.String("sse_algorithm", "")
			if !known {
				continue
			}
			key, keyKnown := d.String("kms_master_key_id", "")
			if (alg == "aws:kms" || alg == "aws:kms:dsse") && (!keyKnown || key != "") {
				continue // a key that is set, or known only after apply
			}
			msg := "default encryption uses " + alg + " without a customer-managed kms_master_key_id"
			out = append(out, at.Finding(rS3CMK, d.RangeOf("sse_algorithm"), msg))
		}
	}
	return out
}

func checkS3Versioning(c *tfmodel.Config, _ tfmodel.Settings) []check.Finding {
	var out []check.Finding
	for _, b := range c.OfType(tBucket) {
		l := links(c, tVersioning, b)
		if l.Unresolved || len(l.Certain()) != len(l.Linked) {
			continue
		}
		if len(l.Linked) > 0 {
			for _, v := range l.Linked {
				cfg, maybe := v.Body.First("versioning_configuration")
				if maybe || cfg == nil {
					continue
				}
				if st, known := cfg.String("status", ""); known && st != "Enabled" {
					out = append(out, v.Finding(rS3Versioning, cfg.RangeOf("status"), "versioning status is "+st))
				}
			}
			continue
		}
		inline, maybe := b.Body.First("versioning")
		switch {
		case maybe:
		case inline == nil:
			out = append(out, b.Finding(rS3Versioning, b.Body.Range, "bucket has no versioning configuration"))
		default:
			if on, known := inline.Bool("enabled", false); known && !on {
				out = append(out, b.Finding(rS3Versioning, inline.RangeOf("enabled"), "versioning is not enabled"))
			}
		}
	}
	return out
}

func checkS3Logging(c *tfmodel.Config, _ tfmodel.Settings) []check.Finding {
	var out []check.Finding
	for _, b := range c.OfType(tBucket) {
		if inline, maybe := b.Body.First("logging"); inline != nil || maybe {
			continue
		}
		if links(c, tLogging, b).Present() || logDeliveryBucket(c, b) {
			continue
		}
		out = append(out, b.Finding(rS3Logging, b.Body.Range, "bucket has no access logging"))
	}
	return out
}
