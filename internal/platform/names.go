package platform

import (
	"fmt"
	"regexp"
	"strings"
)

var dnsLabel = regexp.MustCompile(`^[a-z0-9]([-a-z0-9]*[a-z0-9])?$`)

// checkDNSLabel checks names of environments, components, targets, topic
// kinds and the platform: lowercase letters, digits and '-', at most 63
// characters, starting and ending with a letter or digit.
func checkDNSLabel(name string) error {
	switch {
	case name == "":
		return fmt.Errorf("name is required")
	case len(name) > 63:
		return fmt.Errorf("name %q is longer than 63 characters", name)
	case !dnsLabel.MatchString(name):
		return fmt.Errorf("name %q is invalid: use lowercase letters, digits and '-', starting and ending with a letter or digit", name)
	}
	return nil
}

// checkBranchName applies git check-ref-format's rules for a branch name,
// and refuses a leading '-' (it could be read as an option) and "HEAD".
func checkBranchName(name string) error {
	if reason := branchNameFault(name); reason != "" {
		return fmt.Errorf("%q is not a valid branch name: %s", name, reason)
	}
	return nil
}

func branchNameFault(name string) string {
	switch {
	case name == "":
		return "empty"
	case name == "HEAD" || name == "@":
		return "reserved name"
	case len(name) > 255:
		return "longer than 255 bytes"
	case strings.HasPrefix(name, "-"):
		return "starts with '-'"
	case strings.HasPrefix(name, "/") || strings.HasSuffix(name, "/"):
		return "starts or ends with '/'"
	case strings.HasSuffix(name, "."):
		return "ends with '.'"
	case strings.Contains(name, ".."):
		return "contains '..'"
	case strings.Contains(name, "//"):
		return "contains '//'"
	case strings.Contains(name, "@{"):
		return "contains '@{'"
	}
	for i := 0; i < len(name); i++ {
		if c := name[i]; c < 0x20 || c == 0x7f {
			return "contains a control character"
		} else if strings.IndexByte(" ~^:?*[\\", c) >= 0 {
			return fmt.Sprintf("contains %q", string(c))
		}
	}
	for _, part := range strings.Split(name, "/") {
		if strings.HasPrefix(part, ".") {
			return "a component starts with '.'"
		}
		if strings.HasSuffix(part, ".lock") {
			return "a component ends with '.lock'"
		}
	}
	return ""
}

// checkBranchPrefix checks a topic prefix such as "feature/": prefix+NAME
// must be a valid branch name for an ordinary NAME.
func checkBranchPrefix(prefix string) error {
	if prefix == "" {
		return fmt.Errorf("prefix is required")
	}
	if reason := branchNameFault(prefix + "x"); reason != "" {
		return fmt.Errorf("prefix %q cannot start a valid branch name: %s", prefix, reason)
	}
	return nil
}
