package preview

import (
	"encoding/json"
	"fmt"
	"strings"

	"ferry.dev/ferry/internal/check"
	"ferry.dev/ferry/internal/kube"
)

// MaxComment is the size a pull request comment must stay under (GitHub
// refuses 65,536 characters and more); Markdown keeps a margin below it.
const MaxComment = 65536

const budget = MaxComment - 1536

// MarkdownOptions shape the comment.
type MarkdownOptions struct {
	// FullJSON names where the full preview is (a CI artifact, a file), for
	// the note when parts are cut; default: the command that prints it.
	FullJSON string
}

// Markdown renders p as one pull request comment: a summary always, the
// details folded in <details>, cut to fit MaxComment (field changes first,
// then object lists, then findings) with a note pointing at the full JSON.
func (p *Preview) Markdown(o MarkdownOptions) string {
	for _, lv := range []level{full, noFields, noObjects, summaryOnly} {
		if md := p.markdown(lv, o); len(md) < budget {
			return md
		}
	}
	md := p.markdown(summaryOnly, o)
	return md[:budget] + "\n\n…\n" // only when even the summary is too long
}

type level int

const (
	full level = iota
	noFields
	noObjects
	summaryOnly
)

func (p *Preview) markdown(lv level, o MarkdownOptions) string {
	var b strings.Builder
	fmt.Fprintf(&b, "### ferry preview: `%s` → `%s`\n\n", p.Head.Ref, p.Base.Ref)
	fmt.Fprintf(&b, "`%s` at %s compared with `%s` at %s.\n\n", p.Head.Ref, short(p.Head.Commit), p.Base.Ref, short(p.Base.Commit))
	p.checksMarkdown(&b, lv)
	b.WriteString("| environment | create | configure | prune | Terraform |\n|---|---:|---:|---:|---|\n")
	for _, e := range p.Envs {
		fmt.Fprintf(&b, "| %s | %d | %d | %d | %s |\n", e.Env, e.Counts[kube.ActionCreate], e.Counts[kube.ActionConfigure],
			e.Counts[kube.ActionPrune], terraformCell(e))
	}
	b.WriteString("\n")
	for _, e := range p.Envs {
		if e.Error != "" {
			fmt.Fprintf(&b, "> [!WARNING]\n> **%s**: %s\n\n", e.Env, cell(e.Error, 500))
		}
		if lv < noObjects && len(e.Objects) > 0 {
			objectsMarkdown(&b, e, lv)
		}
	}
	if lv > full {
		where := o.FullJSON
		if where == "" {
			where = fmt.Sprintf("`ferry preview --base %s --head %s --format json`", p.Base.Ref, p.Head.Ref)
		}
		fmt.Fprintf(&b, "_Cut to fit one comment; the full preview: %s._\n", where)
	}
	return b.String()
}

func (p *Preview) checksMarkdown(b *strings.Builder, lv level) {
	c := p.Checks
	fmt.Fprintf(b, "**Checks:** %d new finding(s)%s, %d resolved.\n\n", len(c.Added), severities(c.Added), len(c.Resolved))
	if lv == summaryOnly {
		return
	}
	for _, part := range []struct {
		title string
		fs    []check.Finding
	}{{"New findings", c.Added}, {"Resolved findings", c.Resolved}} {
		if len(part.fs) == 0 {
			continue
		}
		fmt.Fprintf(b, "<details><summary>%s (%d)</summary>\n\n| severity | rule | where | message |\n|---|---|---|---|\n", part.title, len(part.fs))
		for _, f := range part.fs {
			where := f.Location.File
			if f.Location.Line > 0 {
				where = fmt.Sprintf("%s:%d", where, f.Location.Line)
			}
			fmt.Fprintf(b, "| %s | %s | `%s` | %s |\n", f.Severity, f.RuleID, cell(where, 120), cell(f.Message, 300))
		}
		b.WriteString("\n</details>\n\n")
	}
}

func objectsMarkdown(b *strings.Builder, e EnvPreview, lv level) {
	fmt.Fprintf(b, "<details><summary>Kubernetes changes in %s (%d)</summary>\n\n", e.Env, len(e.Objects))
	for _, oc := range e.Objects {
		fmt.Fprintf(b, "- **%s** `%s` (%s/%s)\n", oc.Action, oc.ID, oc.Target, oc.Component)
		if lv != full {
			continue
		}
		for _, f := range oc.Fields {
			switch f.Op {
			case "add":
				fmt.Fprintf(b, "  - add `%s`: `%s`\n", f.Path, value(f.New))
			case "remove":
				fmt.Fprintf(b, "  - remove `%s` (was `%s`)\n", f.Path, value(f.Old))
			default:
				fmt.Fprintf(b, "  - %s `%s`: `%s` → `%s`\n", f.Op, f.Path, value(f.Old), value(f.New))
			}
		}
	}
	b.WriteString("\n</details>\n\n")
}

func terraformCell(e EnvPreview) string {
	if e.Plan != nil {
		var parts []string
		for _, t := range e.Plan.Targets {
			for _, c := range t.Components {
				if c.Terraform != nil {
					parts = append(parts, fmt.Sprintf("%s/%s: %d to add, %d to change, %d to destroy", t.Target, c.Component,
						c.Terraform.Add, c.Terraform.Change, c.Terraform.Destroy))
				}
			}
		}
		if len(parts) > 0 {
			return strings.Join(parts, "<br>")
		}
	}
	if len(e.Terraform) == 0 {
		return "no change"
	}
	var parts []string
	for _, t := range e.Terraform {
		parts = append(parts, fmt.Sprintf("%s: %d file(s) changed", t.Component, len(t.Files)))
	}
	return strings.Join(parts, "<br>")
}

func severities(fs []check.Finding) string {
	if len(fs) == 0 {
		return ""
	}
	n := map[check.Severity]int{}
	for _, f := range fs {
		n[f.Severity]++
	}
	var parts []string
	for _, s := range []check.Severity{"critical", "high", "medium", "low", "info"} {
		if n[s] > 0 {
			parts = append(parts, fmt.Sprintf("%d %s", n[s], s))
		}
	}
	return " (" + strings.Join(parts, ", ") + ")"
}

// value renders a field value on one line, short.
func value(v any) string {
	s, ok := v.(string)
	if !ok {
		b, _ := json.Marshal(v)
		s = string(b)
	}
	return cell(s, 80)
}

// cell makes s safe inside a table cell or inline code and at most n
// characters long.
func cell(s string, n int) string {
	s = strings.NewReplacer("\n", " ", "|", "\\|", "`", "'").Replace(s)
	if r := []rune(s); len(r) > n {
		s = string(r[:n-1]) + "…"
	}
	return s
}

func short(rev string) string {
	if len(rev) > 12 {
		return rev[:12]
	}
	return rev
}
