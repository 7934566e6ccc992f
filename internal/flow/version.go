package flow

import (
	"errors"
	"fmt"
	"regexp"
	"strconv"
	"strings"
)

// Version is a semantic version; Pre is the pre-release ("rc.2") or "".
type Version struct {
	Major, Minor, Patch int
	Pre                 string
}

// ErrNotVersion: a tag is not a version tag.
var ErrNotVersion = errors.New("not a version tag")

var versionRe = regexp.MustCompile(`^(0|[1-9][0-9]{0,8})\.(0|[1-9][0-9]{0,8})(?:\.(0|[1-9][0-9]{0,8}))?(?:-([0-9A-Za-z-]+(?:\.[0-9A-Za-z-]+)*))?$`)

// ParseVersion reads a version tag with the given prefix ("v"). Short tags
// like v0.1 read as v0.1.0.
func ParseVersion(prefix, tag string) (Version, error) {
	s, ok := strings.CutPrefix(tag, prefix)
	if !ok {
		return Version{}, fmt.Errorf("parse version %q: missing prefix %q: %w", tag, prefix, ErrNotVersion)
	}
	m := versionRe.FindStringSubmatch(s)
	if m == nil {
		return Version{}, fmt.Errorf("parse version %q: %w", tag, ErrNotVersion)
	}
	var v Version
	v.Major, _ = strconv.Atoi(m[1])
	v.Minor, _ = strconv.Atoi(m[2])
	if m[3] != "" {
		v.Patch, _ = strconv.Atoi(m[3])
	}
	v.Pre = m[4]
	return v, nil
}

// String is the version without prefix, always with three numbers.
func (v Version) String() string {
	s := fmt.Sprintf("%d.%d.%d", v.Major, v.Minor, v.Patch)
	if v.Pre != "" {
		s += "-" + v.Pre
	}
	return s
}

// Core drops the pre-release.
func (v Version) Core() Version { return Version{Major: v.Major, Minor: v.Minor, Patch: v.Patch} }

// RC returns the release-candidate number of a "rc.N" pre-release, or 0.
func (v Version) RC() int {
	n, ok := strings.CutPrefix(v.Pre, "rc.")
	if !ok {
		return 0
	}
	i, err := strconv.Atoi(n)
	if err != nil {
		return 0
	}
	return i
}

// Bump is the size of a version increase.
type Bump int

const (
	BumpNone Bump = iota
	BumpPatch
	BumpMinor
	BumpMajor
)

func (b Bump) String() string {
	return [...]string{"none", "patch", "minor", "major"}[b]
}

// ParseBump reads --bump: auto (BumpNone, meaning "from the commits"),
// major, minor or patch.
func ParseBump(s string) (Bump, error) {
	switch s {
	case "", "auto":
		return BumpNone, nil
	case "patch":
		return BumpPatch, nil
	case "minor":
		return BumpMinor, nil
	case "major":
		return BumpMajor, nil
	}
	return BumpNone, fmt.Errorf("unknown bump %q (use auto, major, minor or patch)", s)
}

// Apply returns the next version. Before 1.0.0 a major bump (a breaking
// change) raises the minor number, as the usual release tools do.
func (v Version) Apply(b Bump) Version {
	n := v.Core()
	if b == BumpMajor && n.Major == 0 {
		b = BumpMinor
	}
	switch b {
	case BumpMajor:
		return Version{Major: n.Major + 1}
	case BumpMinor:
		return Version{Major: n.Major, Minor: n.Minor + 1}
	default:
		return Version{Major: n.Major, Minor: n.Minor, Patch: n.Patch + 1}
	}
}

// Conventional is a commit read as a Conventional Commit.
type Conventional struct {
	ID          string `json:"id"`
	Type        string `json:"type"` // feat, fix, …; "" when not conventional
	Scope       string `json:"scope,omitempty"`
	Description string `json:"description"`
	Breaking    bool   `json:"breaking"`
}

var ccRe = regexp.MustCompile(`^([A-Za-z]+)(?:\(([^()\r\n]*)\))?(!)?: +(\S.*)$`)

// ParseConventional reads a commit subject and body. A subject that is not
// a Conventional Commit gives Type "" and the subject as description.
func ParseConventional(id, subject, body string) Conventional {
	c := Conventional{ID: id, Description: strings.TrimSpace(subject)}
	if m := ccRe.FindStringSubmatch(strings.TrimSpace(subject)); m != nil {
		c.Type, c.Scope, c.Breaking, c.Description = strings.ToLower(m[1]), strings.TrimSpace(m[2]), m[3] == "!", strings.TrimSpace(m[4])
	}
	for _, line := range strings.Split(body, "\n") {
		if strings.HasPrefix(line, "BREAKING CHANGE:") || strings.HasPrefix(line, "BREAKING-CHANGE:") {
			c.Breaking = true
		}
	}
	return c
}

// BumpOf is the bump a set of commits calls for: breaking → major, feat →
// minor, anything else → patch; no commits → none.
func BumpOf(cs []Conventional) Bump {
	b := BumpNone
	for _, c := range cs {
		switch {
		case c.Breaking:
			return BumpMajor
		case c.Type == "feat":
			b = BumpMinor
		case b == BumpNone:
			b = BumpPatch
		}
	}
	return b
}
