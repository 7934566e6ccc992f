package platform

import (
	"fmt"
	"net/url"
	"path"
	"regexp"
	"sort"
	"strings"
)

func validSeverity(s Severity) bool {
	switch s {
	case SeverityLow, SeverityMedium, SeverityHigh, SeverityCritical:
		return true
	}
	return false
}

func (v *validator) checks() {
	c := v.p.Spec.Checks
	if !validSeverity(c.FailOn) {
		v.addf("spec.checks.failOn", "severity %q is invalid (want low, medium, high or critical)", c.FailOn)
	}
	ids := make([]string, 0, len(c.Rules))
	for id := range c.Rules {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	for _, id := range ids {
		rc, rp := c.Rules[id], joinPath("spec.checks.rules", id)
		if rc.Severity != "" && !validSeverity(rc.Severity) {
			v.addf(rp+".severity", "severity %q is invalid (want low, medium, high or critical)", rc.Severity)
		}
		if rc.Disabled && strings.TrimSpace(rc.Reason) == "" {
			v.addf(rp+".disabled", "rule %s is disabled without a reason; add reason: why it does not apply", id)
		}
	}
	for i, d := range c.PolicyDirs {
		if err := relInside(d); err != nil {
			v.addf(fmt.Sprintf("spec.checks.policyDirs[%d]", i), "%v", err)
		}
	}
	for i, g := range c.Exclude {
		if _, err := path.Match(g, ""); err != nil {
			v.addf(fmt.Sprintf("spec.checks.exclude[%d]", i), "glob %q is invalid: %v", g, err)
		}
	}
	if c.NamingPattern != "" {
		if _, err := regexp.Compile(c.NamingPattern); err != nil {
			v.addf("spec.checks.namingPattern", "namingPattern is not a valid regular expression: %v", err)
		}
	}
}

func (v *validator) versioning() {
	vs := v.p.Spec.Versioning
	if vs.Scheme != DefaultScheme {
		v.addf("spec.versioning.scheme", "scheme %q is not supported (want semver)", vs.Scheme)
	}
	if reason := branchNameFault(vs.TagPrefix + "1.0.0"); reason != "" || strings.Contains(vs.TagPrefix, "/") {
		v.addf("spec.versioning.tagPrefix", "tagPrefix %q cannot start a valid tag name", vs.TagPrefix)
	}
	if err := relInside(vs.Changelog); err != nil {
		v.addf("spec.versioning.changelog", "%v", err)
	}
}

var envRef = regexp.MustCompile(`\$\{([A-Za-z_][A-Za-z0-9_]*)\}`)

// store checks the driver and that a postgres DSN keeps its password out of
// the file. Messages never echo the DSN.
func (v *validator) store() {
	s := v.p.Spec.Store
	switch s.Driver {
	case "sqlite":
		if s.DSN != DefaultStorePath && !envRef.MatchString(s.DSN) {
			if err := relInside(s.DSN); err != nil {
				v.addf("spec.store.dsn", "the SQLite path must be relative to the repository and stay inside it")
			}
		}
	case "postgres":
		if s.DSN == "" {
			v.addf("spec.store.dsn", "dsn is required for the postgres driver (e.g. \"${FERRY_DATABASE_URL}\")")
		} else if literalPassword(s.DSN) {
			v.addf("spec.store.dsn", "dsn holds a literal password; write it as ${ENV_VAR} so credentials stay out of Git")
		}
	default:
		v.addf("spec.store.driver", "driver %q is invalid (want sqlite or postgres)", s.Driver)
	}
}

// agent checks ferry serve's settings.
func (v *validator) agent() {
	if v.p.Spec.Agent.PollInterval.Duration <= 0 {
		v.addf("spec.agent.pollInterval", "pollInterval must be positive")
	}
}

var kvPassword = regexp.MustCompile(`(?i)(^|\s)password\s*=\s*(\S*)`)

// literalPassword reports a password written into a postgres DSN rather
// than taken from the environment with ${VAR}.
func literalPassword(dsn string) bool {
	if m := kvPassword.FindStringSubmatch(dsn); m != nil {
		return m[2] != "" && !envRef.MatchString(m[2])
	}
	if u, err := url.Parse(dsn); err == nil && u.User != nil {
		if pw, ok := u.User.Password(); ok && pw != "" && !envRef.MatchString(pw) {
			return true
		}
	}
	return false
}
