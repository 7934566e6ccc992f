package secrets

import (
	"bytes"
	"fmt"
	"math"
	"regexp"
	"strings"

	"ferry.dev/ferry/internal/check"
	"ferry.dev/ferry/internal/platform"
)

// Rule IDs.
const (
	RuleAWSKeyID     = "FERRY-CMP-050"
	RuleAWSSecret    = "FERRY-CMP-051"
	RulePrivateKey   = "FERRY-CMP-052"
	RuleToken        = "FERRY-CMP-053"
	RuleHighEntropy  = "FERRY-CMP-054"
	RuleAzureAccount = "FERRY-CMP-055"
)

// Rules returns the metadata of the secret rules.
func Rules() []check.Rule {
	r := func(id string, sev check.Severity, title, rationale string, trivy, checkov []string) check.Rule {
		return check.Rule{ID: id, Domain: "compliance", Severity: sev, Title: title, Rationale: rationale,
			Remediation: "Remove the secret from the repository (and its history), rotate it, and load it from a secret store or a Kubernetes Secret created outside Git.",
			TrivyIDs:    trivy, CheckovIDs: checkov, HelpURL: "https://ferry.dev/docs/rules/" + id}
	}
	return []check.Rule{
		r(RuleAWSKeyID, platform.SeverityCritical, "AWS access key ID committed",
			"An access key ID in Git is usually next to its secret; together they grant the key's AWS permissions to anyone who reads the repository.",
			[]string{"aws-access-key-id"}, []string{"CKV_SECRET_2"}),
		r(RuleAWSSecret, platform.SeverityCritical, "AWS secret access key committed",
			"A secret access key grants its user's AWS permissions to anyone who reads the repository.",
			[]string{"aws-secret-access-key"}, nil),
		r(RulePrivateKey, platform.SeverityCritical, "Private key committed",
			"A private key in Git can be used by anyone who reads the repository to impersonate its owner or decrypt traffic.",
			[]string{"private-key"}, []string{"CKV_SECRET_13"}),
		r(RuleToken, platform.SeverityHigh, "API token committed",
			"Tokens with a known format (GitHub, GitLab, Slack, Stripe, Google) are live credentials.",
			[]string{"github-pat", "gitlab-pat", "slack-access-token", "stripe-secret-token"}, nil),
		r(RuleHighEntropy, platform.SeverityHigh, "High-entropy secret value",
			"A random-looking value assigned to a password, secret, token or key is almost always a credential.",
			nil, []string{"CKV_SECRET_6"}),
		r(RuleAzureAccount, platform.SeverityCritical, "Azure storage account key committed",
			"A storage account key gives full control of every container, queue and table of the account.",
			[]string{"azure-storage-account-key"}, nil),
	}
}

type pattern struct {
	id      string
	sev     check.Severity
	re      *regexp.Regexp
	group   int      // submatch holding the secret
	what    string   // human name
	needles []string // cheap prefilter, lowercase: the regexp runs only if one occurs
}

var patterns = []pattern{
	{RuleAWSKeyID, platform.SeverityCritical, regexp.MustCompile(`\b((?:AKIA|ASIA|AGPA|AIDA|AROA|ANPA|ANVA|AIPA)[A-Z2-7]{16})\b`), 1, "AWS access key ID",
		[]string{"akia", "asia", "agpa", "aida", "aroa", "anpa", "anva", "aipa"}},
	{RuleAWSSecret, platform.SeverityCritical, regexp.MustCompile(`(?i)aws_?secret_?access_?key["']?\s*[:=]\s*["']?([A-Za-z0-9/+]{40})\b`), 1, "AWS secret access key", []string{"secret"}},
	{RulePrivateKey, platform.SeverityCritical, regexp.MustCompile(`-----BEGIN ((?:RSA |EC |DSA |OPENSSH |ENCRYPTED |PGP )?PRIVATE KEY(?: BLOCK)?)-----`), 1, "private key", []string{"private key"}},
	{RuleToken, platform.SeverityHigh, regexp.MustCompile(`\b(gh[pousr]_[A-Za-z0-9]{36,}|github_pat_[A-Za-z0-9_]{60,}|glpat-[A-Za-z0-9_\-]{20,}|xox[baprs]-[A-Za-z0-9-]{10,}|sk_live_[A-Za-z0-9]{20,}|AIza[A-Za-z0-9_\-]{35})\b`), 1, "API token",
		[]string{"ghp_", "gho_", "ghu_", "ghs_", "ghr_", "github_pat_", "glpat-", "xox", "sk_live_", "aiza"}},
	{RuleAzureAccount, platform.SeverityCritical, regexp.MustCompile(`(?i)AccountKey=([A-Za-z0-9+/]{60,}={0,2})`), 1, "Azure storage account key", []string{"accountkey"}},
}

var assignment = regexp.MustCompile(`(?i)([A-Za-z0-9_.\-]*(?:passw(?:or)?d|secret|token|api[_\-]?key|private[_\-]?key|access[_\-]?key|client[_\-]?secret|credentials?)[A-Za-z0-9_.\-]*)["']?\s*(?:[:=]|=>)\s*["']?([A-Za-z0-9+/=_\-.~!@#$%^&*]{20,})`)

// exampleValues are documented placeholders that are not real secrets.
var exampleValues = []string{"EXAMPLE", "XXXXXXXX", "xxxxxxxx", "changeme", "placeholder", "dummy", "0000000000", "${", "{{", "$("}

// Scan returns the secrets found in one file.
func Scan(file string, data []byte) []check.Finding {
	var out []check.Finding
	lower := bytes.ToLower(data)
	for _, p := range patterns {
		if !containsAny(lower, p.needles) {
			continue
		}
		for _, m := range p.re.FindAllSubmatchIndex(data, -1) {
			secret := string(data[m[2*p.group]:m[2*p.group+1]])
			if isExample(secret) {
				continue
			}
			out = append(out, finding(p.id, p.sev, file, data, m[0], fmt.Sprintf("%s found: %s", p.what, redact(p.id, secret))))
		}
	}
	// The assignment pattern is costly; run it only on lines that name a
	// secret-like key.
	for start := 0; start < len(data); {
		end := bytes.IndexByte(data[start:], '\n')
		if end < 0 {
			end = len(data)
		} else {
			end += start
		}
		if containsAny(lower[start:end], secretKeywords) {
			out = append(out, assignments(file, data, start, end, out)...)
		}
		start = end + 1
	}
	return out
}

var secretKeywords = []string{"passw", "secret", "token", "key", "credential"}

func containsAny(b []byte, needles []string) bool {
	for _, n := range needles {
		if bytes.Contains(b, []byte(n)) {
			return true
		}
	}
	return false
}

// assignments finds high-entropy values assigned to secret-like keys on
// the line data[start:end].
func assignments(file string, data []byte, start, end int, seen []check.Finding) []check.Finding {
	var out []check.Finding
	for _, m := range assignment.FindAllSubmatchIndex(data[start:end], -1) {
		key := string(data[start+m[2] : start+m[3]])
		val := string(data[start+m[4] : start+m[5]])
		if isExample(val) || notSecretKey(key) || entropy(val) < 4.0 || covered(seen, file, lineOf(data, start+m[4])) {
			continue
		}
		out = append(out, finding(RuleHighEntropy, platform.SeverityHigh, file, data, start+m[4],
			fmt.Sprintf("%s holds a high-entropy value: %s", key, redact(RuleHighEntropy, val))))
	}
	return out
}

var notSecretSuffix = regexp.MustCompile(`(?i)(_|-|\.)?(file|path|dir|url|uri|ref|name|id|arn|ttl|length|type|version|endpoint|header|secret_?name|key_?name)$`)

func notSecretKey(key string) bool { return notSecretSuffix.MatchString(key) }

func isExample(s string) bool {
	for _, e := range exampleValues {
		if strings.Contains(s, e) {
			return true
		}
	}
	return false
}

// redact shows at most a 4-character prefix and the length; private keys
// show only their type.
func redact(id, s string) string {
	if id == RulePrivateKey {
		return s + " block (contents not shown)"
	}
	n := 4
	if len(s) < 12 {
		n = 0
	}
	return fmt.Sprintf("%s… (%d characters, redacted)", s[:n], len(s))
}

func finding(id string, sev check.Severity, file string, data []byte, off int, msg string) check.Finding {
	line := lineOf(data, off)
	col := off - bytes.LastIndexByte(data[:off], '\n')
	return check.Finding{RuleID: id, Severity: sev, Message: msg,
		Location: check.Location{File: file, Line: line, Column: col}}
}

func lineOf(data []byte, off int) int { return bytes.Count(data[:off], []byte{'\n'}) + 1 }

func covered(fs []check.Finding, file string, line int) bool {
	for _, f := range fs {
		if f.Location.File == file && f.Location.Line == line {
			return true
		}
	}
	return false
}

// entropy is the Shannon entropy of s in bits per character.
func entropy(s string) float64 {
	if s == "" {
		return 0
	}
	counts := map[rune]int{}
	for _, r := range s {
		counts[r]++
	}
	var h float64
	n := float64(len([]rune(s)))
	for _, c := range counts {
		p := float64(c) / n
		h -= p * math.Log2(p)
	}
	return h
}
