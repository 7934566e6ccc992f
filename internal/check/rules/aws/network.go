package aws

import (
	"fmt"
	"net/netip"
	"strings"

	"ferry.dev/ferry/internal/check"
	"ferry.dev/ferry/internal/check/tfscan/tfmodel"
)

var (
	rSGAdminPorts = rule("FERRY-AWS-011", critical, "Security group allows SSH or RDP from the internet",
		"SSH (22) and RDP (3389) open to 0.0.0.0/0 or ::/0 are scanned and brute-forced within minutes of exposure.",
		"Restrict the source to known CIDRs or a bastion security group, or use SSM Session Manager instead of open admin ports.",
		ids("AVD-AWS-0107"), ids("CKV_AWS_24", "CKV_AWS_25"))
	rSGEgress = rule("FERRY-AWS-012", medium, "Security group allows unrestricted egress",
		"Egress to any address on every port and protocol lets a compromised workload exfiltrate data or reach command-and-control anywhere. Rated medium: it is AWS's default, so it is common and often accepted, but should be a decision.",
		"Limit egress to the ports and destinations the workload needs (e.g. 443 to a prefix list or VPC endpoints).",
		ids("AVD-AWS-0104"), ids("CKV_AWS_382"))
)

// sgRule is one security group rule in any of its three spellings.
type sgRule struct {
	res     *tfmodel.Resource
	at      tfmodel.Range
	ingress bool
	allPort bool // protocol -1: every port
	from    int64
	to      int64
	known   bool
	cidrs   []string
}

func (s sgRule) covers(port int64) bool { return s.allPort || (s.from <= port && port <= s.to) }

func (s sgRule) public() bool { return anyAddress(s.cidrs) }

// sgRules collects every known security group rule of the configuration.
func sgRules(c *tfmodel.Config) []sgRule {
	var out []sgRule
	for _, sg := range c.OfType("aws_security_group") {
		for _, dir := range []string{"ingress", "egress"} {
			blocks, _ := sg.Body.Nested(dir)
			for _, b := range blocks {
				out = append(out, classicRule(sg, b, dir == "ingress", cidrRange(b, "cidr_blocks", "ipv6_cidr_blocks")))
			}
			for _, b := range attrBlocks(sg.Body.Attr(dir)) {
				out = append(out, classicRule(sg, b, dir == "ingress", b.Range))
			}
		}
	}
	for _, r := range c.OfType("aws_security_group_rule") {
		typ, known := r.Body.String("type", "")
		if !known {
			continue
		}
		out = append(out, classicRule(r, r.Body, typ == "ingress", cidrRange(r.Body, "cidr_blocks", "ipv6_cidr_blocks")))
	}
	for _, dir := range []string{"ingress", "egress"} {
		for _, r := range c.OfType("aws_vpc_security_group_" + dir + "_rule") {
			out = append(out, vpcRule(r, dir == "ingress"))
		}
	}
	return out
}

// attrBlocks reads the attribute form of nested blocks (ingress = [{…}]),
// which Terraform accepts for security group rules, as blocks located at
// the attribute. An unknown list yields nothing.
func attrBlocks(a *tfmodel.Attr) []*tfmodel.Block {
	if a == nil || !a.Value.IsKnown() || a.Value.IsNull() || !a.Value.CanIterateElements() {
		return nil
	}
	var out []*tfmodel.Block
	for it := a.Value.ElementIterator(); it.Next(); {
		_, e := it.Element()
		if !e.IsKnown() || e.IsNull() || !e.Type().IsObjectType() {
			continue
		}
		b := &tfmodel.Block{Type: a.Name, Attrs: map[string]*tfmodel.Attr{}, Range: a.Range}
		for name, v := range e.AsValueMap() {
			b.Attrs[name] = &tfmodel.Attr{Name: name, Value: v, Range: a.Range}
		}
		out = append(out, b)
	}
	return out
}

// cidrRange locates a rule at the first of its address attributes that
// opens it to any address (where the fix goes), else the first present,
// else the block (a rule without one).
func cidrRange(b *tfmodel.Block, names ...string) tfmodel.Range {
	for _, n := range names {
		if vs, known := b.Strings(n); known && anyAddress(vs) {
			return b.Attr(n).Range
		}
		if v, known := b.String(n, ""); known && anyAddress([]string{v}) {
			return b.Attr(n).Range
		}
	}
	for _, n := range names {
		if a := b.Attr(n); a != nil {
			return a.Range
		}
	}
	return b.Range
}

func anyAddress(cidrs []string) bool {
	for _, c := range cidrs {
		if p, err := netip.ParsePrefix(strings.TrimSpace(c)); err == nil && p.Bits() == 0 {
			return true
		}
	}
	return false
}

// classicRule reads aws_security_group ingress/egress blocks and
// aws_security_group_rule, which share from_port/to_port/protocol.
func classicRule(r *tfmodel.Resource, b *tfmodel.Block, ingress bool, at tfmodel.Range) sgRule {
	s := sgRule{res: r, at: at, ingress: ingress}
	proto, pk := b.String("protocol", "")
	from, fk := b.Number("from_port", 0)
	to, tk := b.Number("to_port", 0)
	v4, k4 := b.Strings("cidr_blocks")
	v6, k6 := b.Strings("ipv6_cidr_blocks")
	s.known = pk && fk && tk && !icmp(proto)
	s.allPort = proto == "-1" || strings.EqualFold(proto, "all")
	s.from, s.to = from, to
	if k4 {
		s.cidrs = append(s.cidrs, v4...)
	}
	if k6 {
		s.cidrs = append(s.cidrs, v6...)
	}
	return s
}

// vpcRule reads aws_vpc_security_group_ingress_rule / _egress_rule.
func vpcRule(r *tfmodel.Resource, ingress bool) sgRule {
	b := r.Body
	s := sgRule{res: r, at: cidrRange(b, "cidr_ipv4", "cidr_ipv6"), ingress: ingress}
	proto, pk := b.String("ip_protocol", "")
	from, fk := b.Number("from_port", -1)
	to, tk := b.Number("to_port", -1)
	v4, k4 := b.String("cidr_ipv4", "")
	v6, k6 := b.String("cidr_ipv6", "")
	s.known = pk && fk && tk && !icmp(proto)
	s.allPort = proto == "-1" || strings.EqualFold(proto, "all") || (from == -1 && to == -1)
	s.from, s.to = from, to
	if k4 {
		s.cidrs = append(s.cidrs, v4)
	}
	if k6 {
		s.cidrs = append(s.cidrs, v6)
	}
	return s
}

func icmp(proto string) bool {
	switch strings.ToLower(proto) {
	case "icmp", "1", "icmpv6", "58":
		return true
	}
	return false
}

func checkSGAdminPorts(c *tfmodel.Config, _ tfmodel.Settings) []check.Finding {
	var out []check.Finding
	for _, s := range sgRules(c) {
		if !s.ingress || !s.known || !s.public() {
			continue
		}
		var open []string
		for _, p := range []int64{22, 3389} {
			if s.covers(p) {
				open = append(open, fmt.Sprint(p))
			}
		}
		if len(open) > 0 {
			out = append(out, s.res.Finding(rSGAdminPorts, s.at,
				"ingress from the internet to port "+strings.Join(open, " and ")))
		}
	}
	return out
}

func checkSGEgress(c *tfmodel.Config, _ tfmodel.Settings) []check.Finding {
	var out []check.Finding
	for _, s := range sgRules(c) {
		if s.ingress || !s.known || !s.public() {
			continue
		}
		if s.allPort || (s.from <= 0 && s.to >= 65535) {
			out = append(out, s.res.Finding(rSGEgress, s.at, "egress to any address on every port"))
		}
	}
	return out
}
