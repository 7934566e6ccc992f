package git

import "strings"

// ValidateBranchName checks a user-supplied branch name (without refs/heads/)
// against git check-ref-format's rules, plus ferry's: it may not start with
// '-' (so it can never be read as an option) and may not be "HEAD".
func ValidateBranchName(name string) error {
	if name == "HEAD" {
		return &NameError{Name: name, Reason: "HEAD is not a branch name"}
	}
	return ValidateRefName(name)
}

// ValidateTagName checks a tag name the same way.
func ValidateTagName(name string) error { return ValidateRefName(name) }

// ValidateRefName checks a short ref name (one level allowed) against the
// rules of git check-ref-format, and refuses a leading '-'.
func ValidateRefName(name string) error {
	bad := func(reason string) error { return &NameError{Name: name, Reason: reason} }
	switch {
	case name == "":
		return bad("empty")
	case len(name) > 255:
		return bad("longer than 255 bytes")
	case strings.HasPrefix(name, "-"):
		return bad("starts with '-'")
	case name == "@":
		return bad("is '@'")
	case strings.HasPrefix(name, "/") || strings.HasSuffix(name, "/"):
		return bad("starts or ends with '/'")
	case strings.HasSuffix(name, "."):
		return bad("ends with '.'")
	case strings.Contains(name, ".."):
		return bad("contains '..'")
	case strings.Contains(name, "//"):
		return bad("contains '//'")
	case strings.Contains(name, "@{"):
		return bad("contains '@{'")
	}
	for i := 0; i < len(name); i++ {
		c := name[i]
		if c < 0x20 || c == 0x7f {
			return bad("contains a control character")
		}
		if strings.IndexByte(" ~^:?*[\\", c) >= 0 {
			return bad("contains '" + string(c) + "'")
		}
	}
	for _, comp := range strings.Split(name, "/") {
		if strings.HasPrefix(comp, ".") {
			return bad("a component starts with '.'")
		}
		if strings.HasSuffix(comp, ".lock") {
			return bad("a component ends with '.lock'")
		}
	}
	return nil
}
