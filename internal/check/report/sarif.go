package report

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"io"
	"net/url"
	"strings"

	"ferry.dev/ferry/internal/check"
)

// SARIF 2.1.0 as GitHub code scanning reads it.
type sarifLog struct {
	Schema  string     `json:"$schema"`
	Version string     `json:"version"`
	Runs    []sarifRun `json:"runs"`
}

type sarifRun struct {
	Tool    sarifTool     `json:"tool"`
	Results []sarifResult `json:"results"`
}

type sarifTool struct {
	Driver sarifDriver `json:"driver"`
}

type sarifDriver struct {
	Name           string      `json:"name"`
	Version        string      `json:"version,omitempty"`
	InformationURI string      `json:"informationUri"`
	Rules          []sarifRule `json:"rules"`
}

type sarifText struct {
	Text     string `json:"text"`
	Markdown string `json:"markdown,omitempty"`
}

type sarifRule struct {
	ID                   string         `json:"id"`
	Name                 string         `json:"name"`
	ShortDescription     sarifText      `json:"shortDescription"`
	FullDescription      sarifText      `json:"fullDescription"`
	Help                 sarifText      `json:"help"`
	HelpURI              string         `json:"helpUri,omitempty"`
	DefaultConfiguration sarifConfig    `json:"defaultConfiguration"`
	Properties           sarifRuleProps `json:"properties"`
}

type sarifConfig struct {
	Level string `json:"level"`
}

type sarifRuleProps struct {
	Tags             []string `json:"tags"`
	Precision        string   `json:"precision"`
	SecuritySeverity string   `json:"security-severity"`
	TrivyIDs         []string `json:"trivyIds"`
	CheckovIDs       []string `json:"checkovIds"`
}

type sarifResult struct {
	RuleID              string             `json:"ruleId"`
	RuleIndex           int                `json:"ruleIndex"`
	Level               string             `json:"level"`
	Message             sarifText          `json:"message"`
	Locations           []sarifLocation    `json:"locations"`
	PartialFingerprints map[string]string  `json:"partialFingerprints"`
	Suppressions        []sarifSuppression `json:"suppressions,omitempty"`
	Properties          map[string]string  `json:"properties,omitempty"`
}

type sarifLocation struct {
	PhysicalLocation sarifPhysical `json:"physicalLocation"`
}

type sarifPhysical struct {
	ArtifactLocation sarifArtifact `json:"artifactLocation"`
	Region           sarifRegion   `json:"region"`
}

type sarifArtifact struct {
	URI       string `json:"uri"`
	URIBaseID string `json:"uriBaseId"`
}

type sarifRegion struct {
	StartLine   int `json:"startLine"`
	StartColumn int `json:"startColumn,omitempty"`
	EndLine     int `json:"endLine,omitempty"`
	EndColumn   int `json:"endColumn,omitempty"`
}

type sarifSuppression struct {
	Kind          string `json:"kind"` // inSource or external
	Justification string `json:"justification"`
}

// securitySeverity maps severities onto GitHub's 0–10 scale (critical ≥ 9,
// high 7–8.9, medium 4–6.9, low < 4).
var securitySeverity = map[check.Severity]string{"critical": "9.5", "high": "8.0", "medium": "5.5", "low": "2.0"}

func level(s check.Severity) string {
	switch s {
	case "critical", "high":
		return "error"
	case "medium":
		return "warning"
	}
	return "note"
}

// SARIF writes a SARIF 2.1.0 log with one run.
func SARIF(w io.Writer, r *Report) error {
	rules := r.usedRules()
	index := map[string]int{}
	driver := sarifDriver{Name: r.Tool, Version: r.Version, InformationURI: "https://ferry.dev", Rules: []sarifRule{}}
	for i, rule := range rules {
		index[rule.ID] = i
		driver.Rules = append(driver.Rules, toSARIFRule(rule))
	}
	results := []sarifResult{}
	for _, f := range r.Findings {
		results = append(results, toSARIFResult(f, index[f.RuleID]))
	}
	log := sarifLog{Schema: "https://json.schemastore.org/sarif-2.1.0.json", Version: "2.1.0",
		Runs: []sarifRun{{Tool: sarifTool{Driver: driver}, Results: results}}}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(log)
}

func toSARIFRule(rule check.Rule) sarifRule {
	help := rule.Rationale
	if rule.Remediation != "" {
		help += "\n\nRemediation: " + rule.Remediation
	}
	md := "**" + rule.Title + "**\n\n" + rule.Rationale + "\n\n**Remediation:** " + rule.Remediation
	if ids := mappings(rule); ids != "" {
		help += "\n\n" + ids
		md += "\n\n" + ids
	}
	tags := []string{"security"}
	if rule.Domain != "" {
		tags = append(tags, rule.Domain)
	}
	return sarifRule{ID: rule.ID, Name: pascal(rule.Title),
		ShortDescription: sarifText{Text: rule.Title}, FullDescription: sarifText{Text: orTitle(rule.Rationale, rule.Title)},
		Help: sarifText{Text: orTitle(help, rule.Title), Markdown: md}, HelpURI: rule.HelpURL,
		DefaultConfiguration: sarifConfig{Level: level(rule.Severity)},
		Properties: sarifRuleProps{Tags: tags, Precision: "high", SecuritySeverity: securitySeverity[rule.Severity],
			TrivyIDs: nonNil(rule.TrivyIDs), CheckovIDs: nonNil(rule.CheckovIDs)}}
}

func mappings(rule check.Rule) string {
	var parts []string
	if len(rule.TrivyIDs) > 0 {
		parts = append(parts, "trivy: "+strings.Join(rule.TrivyIDs, ", "))
	}
	if len(rule.CheckovIDs) > 0 {
		parts = append(parts, "checkov: "+strings.Join(rule.CheckovIDs, ", "))
	}
	return strings.Join(parts, "; ")
}

func orTitle(s, title string) string {
	if strings.TrimSpace(s) == "" {
		return title
	}
	return s
}

func pascal(s string) string {
	var b strings.Builder
	for _, w := range strings.FieldsFunc(s, func(r rune) bool { return !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9') }) {
		b.WriteString(strings.ToUpper(w[:1]) + w[1:])
	}
	return b.String()
}

func toSARIFResult(f check.Finding, ruleIndex int) sarifResult {
	line := max(f.Location.Line, 1) // GitHub requires startLine ≥ 1
	res := sarifResult{RuleID: f.RuleID, RuleIndex: ruleIndex, Level: level(f.Severity),
		Message: sarifText{Text: f.Message},
		Locations: []sarifLocation{{PhysicalLocation: sarifPhysical{
			ArtifactLocation: sarifArtifact{URI: (&url.URL{Path: f.Location.File}).EscapedPath(), URIBaseID: "%SRCROOT%"},
			Region:           sarifRegion{StartLine: line, StartColumn: f.Location.Column, EndLine: f.Location.EndLine, EndColumn: f.Location.EndColumn},
		}}},
		PartialFingerprints: map[string]string{"ferryFindingHash/v1": Fingerprint(f)},
	}
	props := map[string]string{"severity": string(f.Severity)}
	if f.Env != "" {
		props["environments"] = f.Env
	}
	if f.Resource != "" {
		props["resource"] = f.Resource
	}
	res.Properties = props
	if s := f.Suppressed; s != nil {
		kind := "inSource"
		if s.Source != "inline" {
			kind = "external"
		}
		res.Suppressions = []sarifSuppression{{Kind: kind, Justification: s.Reason}}
	}
	return res
}

// Fingerprint identifies a finding independent of its line, so moving code
// does not turn an old alert into a new one.
func Fingerprint(f check.Finding) string {
	h := sha256.Sum256([]byte(f.RuleID + "\x00" + f.Location.File + "\x00" + f.Resource + "\x00" + f.Message))
	return hex.EncodeToString(h[:16])
}
