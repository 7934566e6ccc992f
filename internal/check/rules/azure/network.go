package azure

import (
	"fmt"
	"net/netip"
	"strconv"
	"strings"

	"ferry.dev/ferry/internal/check"
	"ferry.dev/ferry/internal/check/tfscan/tfmodel"
)

var (
	rNSGSSH = rule("FERRY-AZ-005", critical, "Network security group allows SSH from the internet",
		"SSH (22) open to any source is scanned and brute-forced within minutes of exposure.",
		"Restrict source_address_prefix to known ranges, or use Azure Bastion or just-in-time VM access.",
		ids("AVD-AZU-0050"), ids("CKV_AZURE_10"))
	rNSGRDP = rule("FERRY-AZ-006", critical, "Network security group allows RDP from the internet",
		"RDP (3389) open to any source is a leading entry point for ransomware.",
		"Restrict source_address_prefix to known ranges, or use Azure Bastion or just-in-time VM access.",
		ids("AVD-AZU-0048"), ids("CKV_AZURE_9"))
)

// nsgRules yields every security rule: azurerm_network_security_rule and
// the inline security_rule blocks of azurerm_network_security_group.
func nsgRules(c *tfmodel.Config) (res []*tfmodel.Resource, blocks []*tfmodel.Block) {
	for _, r := range c.OfType("azurerm_network_security_rule") {
		res, blocks = append(res, r), append(blocks, r.Body)
	}
	for _, g := range c.OfType("azurerm_network_security_group") {
		rules, _ := g.Body.Nested("security_rule")
		for _, b := range rules {
			res, blocks = append(res, g), append(blocks, b)
		}
	}
	return res, blocks
}

func nsgCheck(meta check.Rule, port int) func(*tfmodel.Config, tfmodel.Settings) []check.Finding {
	return func(c *tfmodel.Config, _ tfmodel.Settings) []check.Finding {
		var out []check.Finding
		res, blocks := nsgRules(c)
		for i, b := range blocks {
			if opensToInternet(b, port) {
				out = append(out, res[i].Finding(meta, sourceRange(b), fmt.Sprintf("inbound Allow rule from the internet to port %d", port)))
			}
		}
		return out
	}
}

// opensToInternet reports whether a security rule, from known values,
// allows inbound traffic from any address to port.
func opensToInternet(b *tfmodel.Block, port int) bool {
	dir, dk := b.String("direction", "")
	acc, ak := b.String("access", "")
	proto, pk := b.String("protocol", "")
	if !dk || !ak || !pk || !strings.EqualFold(dir, "Inbound") || !strings.EqualFold(acc, "Allow") ||
		strings.EqualFold(proto, "Icmp") {
		return false
	}
	return anySource(b) && coversPort(b, port)
}

func anySource(b *tfmodel.Block) bool {
	var srcs []string
	if s, known := b.String("source_address_prefix", ""); known && s != "" {
		srcs = append(srcs, s)
	}
	if list, known := b.Strings("source_address_prefixes"); known {
		srcs = append(srcs, list...)
	}
	for _, s := range srcs {
		switch strings.ToLower(strings.TrimSpace(s)) {
		case "*", "0.0.0.0", "internet", "any":
			return true
		}
		if p, err := netip.ParsePrefix(strings.TrimSpace(s)); err == nil && p.Bits() == 0 {
			return true
		}
	}
	return false
}

func coversPort(b *tfmodel.Block, port int) bool {
	var ranges []string
	if s, known := b.String("destination_port_range", ""); known && s != "" {
		ranges = append(ranges, s)
	}
	if list, known := b.Strings("destination_port_ranges"); known {
		ranges = append(ranges, list...)
	}
	for _, r := range ranges {
		r = strings.TrimSpace(r)
		if r == "*" {
			return true
		}
		lo, hi, found := strings.Cut(r, "-")
		if !found {
			hi = lo
		}
		l, err1 := strconv.Atoi(strings.TrimSpace(lo))
		h, err2 := strconv.Atoi(strings.TrimSpace(hi))
		if err1 == nil && err2 == nil && l <= port && port <= h {
			return true
		}
	}
	return false
}

// sourceRange locates a rule open to the internet at its source address
// attribute, where the fix goes.
func sourceRange(b *tfmodel.Block) tfmodel.Range {
	if a := b.Attr("source_address_prefix"); a != nil && !a.Null() {
		return a.Range
	}
	return b.RangeOf("source_address_prefixes")
}
