package tagging_test

import (
	"testing"

	"ferry.dev/ferry/internal/check/rules/tagging"
	"ferry.dev/ferry/internal/check/tfscan/tfscantest"
	"ferry.dev/ferry/internal/platform"
)

// settings are the ferry.yaml checks every tagging fixture is scanned with.
var settings = platform.Checks{
	RequiredTags:     []string{"owner", "env"},
	AllowedRegions:   []string{"eu-west-1", "eu-central-1"},
	AllowedLocations: []string{"westeurope", "North Europe"},
	NamingPattern:    `^[a-z][a-z0-9-]*$`,
}

func TestFixtures(t *testing.T) {
	t.Parallel()
	var ids []string
	for _, r := range tagging.Rules() {
		ids = append(ids, r.ID)
	}
	tfscantest.Run(t, "testdata", ids, settings)
}

// TestSilentWithoutSettings: the compliance rules only apply what ferry.yaml
// asks for, so every failing fixture is clean with empty settings.
func TestSilentWithoutSettings(t *testing.T) {
	t.Parallel()
	for _, r := range tagging.Rules() {
		if r.Check(nil, platform.Checks{}) != nil {
			t.Errorf("%s reports without settings", r.ID)
		}
		if r.Title == "" || r.Rationale == "" || r.Remediation == "" {
			t.Errorf("%s: incomplete metadata", r.ID)
		}
	}
}
