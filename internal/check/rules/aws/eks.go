package aws

import (
	"net/netip"
	"slices"
	"strings"

	"ferry.dev/ferry/internal/check"
	"ferry.dev/ferry/internal/check/tfscan/tfmodel"
)

var (
	rEKSPublic = rule("FERRY-AWS-025", medium, "EKS cluster API endpoint is public",
		"A public endpoint exposes the Kubernetes API to the internet; authentication is then the only barrier. Rated medium because restricting public_access_cidrs (FERRY-AWS-026) is an accepted mitigation.",
		"Set vpc_config { endpoint_public_access = false, endpoint_private_access = true } and reach the API through the VPC.",
		ids("AVD-AWS-0040"), ids("CKV_AWS_39"))
	rEKSPublicCIDR = rule("FERRY-AWS-026", high, "EKS cluster API endpoint is open to the whole internet",
		"With public access and no CIDR restriction (the default is 0.0.0.0/0), anyone can reach the Kubernetes API and probe it.",
		"Disable endpoint_public_access, or set public_access_cidrs to the addresses that need it.",
		ids("AVD-AWS-0041"), ids("CKV_AWS_38"))
	rEKSSecrets = rule("FERRY-AWS-027", high, "EKS cluster does not encrypt Secrets with a KMS key",
		"Envelope encryption with your KMS key protects Kubernetes Secrets in etcd and lets you audit and revoke access to them.",
		"Add encryption_config { resources = [\"secrets\"] provider { key_arn = aws_kms_key.x.arn } }.",
		ids("AVD-AWS-0039"), ids("CKV_AWS_58"))
	rEKSLogging = rule("FERRY-AWS-028", medium, "EKS control-plane logging is incomplete",
		"Without api, audit, authenticator, controllerManager and scheduler logs, changes to the cluster and failed access cannot be investigated.",
		"Set enabled_cluster_log_types = [\"api\", \"audit\", \"authenticator\", \"controllerManager\", \"scheduler\"].",
		ids("AVD-AWS-0038"), ids("CKV_AWS_37"))
)

// publicEndpoint reports whether the cluster's endpoint is public and the
// vpc_config block holding the setting (nil when the default applies).
func publicEndpoint(r *tfmodel.Resource) (public, known bool, vpc *tfmodel.Block) {
	vpc, maybe := r.Body.First("vpc_config")
	if maybe || vpc == nil {
		return false, false, nil
	}
	public, known = vpc.Bool("endpoint_public_access", true)
	return public, known, vpc
}

func checkEKSPublic(c *tfmodel.Config, _ tfmodel.Settings) []check.Finding {
	var out []check.Finding
	for _, r := range c.OfType("aws_eks_cluster") {
		if pub, known, vpc := publicEndpoint(r); known && pub {
			out = append(out, r.Finding(rEKSPublic, vpc.RangeOf("endpoint_public_access"), "endpoint_public_access is not false"))
		}
	}
	return out
}

func checkEKSPublicCIDR(c *tfmodel.Config, _ tfmodel.Settings) []check.Finding {
	var out []check.Finding
	for _, r := range c.OfType("aws_eks_cluster") {
		pub, known, vpc := publicEndpoint(r)
		if !known || !pub {
			continue
		}
		cidrs, known := vpc.Strings("public_access_cidrs")
		if !known {
			continue
		}
		if vpc.Attr("public_access_cidrs").Null() {
			out = append(out, r.Finding(rEKSPublicCIDR, vpc.RangeOf("endpoint_public_access"), "public endpoint without public_access_cidrs is open to 0.0.0.0/0"))
			continue
		}
		if slices.ContainsFunc(cidrs, func(s string) bool {
			p, err := netip.ParsePrefix(strings.TrimSpace(s))
			return err == nil && p.Bits() == 0
		}) {
			out = append(out, r.Finding(rEKSPublicCIDR, vpc.RangeOf("public_access_cidrs"), "public_access_cidrs includes the whole internet"))
		}
	}
	return out
}

func checkEKSSecrets(c *tfmodel.Config, _ tfmodel.Settings) []check.Finding {
	var out []check.Finding
	for _, r := range c.OfType("aws_eks_cluster") {
		encs, maybe := r.Body.Nested("encryption_config")
		if maybe {
			continue
		}
		ok := false
		for _, e := range encs {
			res, known := e.Strings("resources")
			if !known || slices.Contains(res, "secrets") {
				ok = true
			}
		}
		if !ok {
			out = append(out, r.Finding(rEKSSecrets, r.Body.Range, "no encryption_config for secrets"))
		}
	}
	return out
}

var eksLogTypes = []string{"api", "audit", "authenticator", "controllerManager", "scheduler"}

func checkEKSLogging(c *tfmodel.Config, _ tfmodel.Settings) []check.Finding {
	var out []check.Finding
	for _, r := range c.OfType("aws_eks_cluster") {
		got, known := r.Body.Strings("enabled_cluster_log_types")
		if !known {
			continue
		}
		var missing []string
		for _, t := range eksLogTypes {
			if !slices.Contains(got, t) {
				missing = append(missing, t)
			}
		}
		if len(missing) > 0 {
			out = append(out, r.Finding(rEKSLogging, r.Body.RangeOf("enabled_cluster_log_types"),
				"control-plane log types not enabled: "+strings.Join(missing, ", ")))
		}
	}
	return out
}
