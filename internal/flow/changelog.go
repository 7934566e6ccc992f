package flow

import (
	"fmt"
	"strings"
	"time"
)

// changelog sections in the order they are written.
var sections = []struct {
	title string
	match func(Conventional) bool
}{
	{"Breaking changes", func(c Conventional) bool { return c.Breaking }},
	{"Features", func(c Conventional) bool { return c.Type == "feat" }},
	{"Bug fixes", func(c Conventional) bool { return c.Type == "fix" }},
	{"Performance", func(c Conventional) bool { return c.Type == "perf" }},
	{"Other changes", func(Conventional) bool { return true }},
}

// ChangelogSection renders one release's section: a heading with the tag
// and date, then the commits grouped by kind (each commit once).
func ChangelogSection(tag string, date time.Time, cs []Conventional) string {
	var b strings.Builder
	fmt.Fprintf(&b, "## %s (%s)\n", tag, date.UTC().Format("2006-01-02"))
	used := make([]bool, len(cs))
	for _, s := range sections {
		var lines []string
		for i, c := range cs {
			if used[i] || !s.match(c) {
				continue
			}
			used[i] = true
			lines = append(lines, changelogLine(c))
		}
		if len(lines) > 0 {
			fmt.Fprintf(&b, "\n### %s\n\n%s\n", s.title, strings.Join(lines, "\n"))
		}
	}
	if len(cs) == 0 {
		b.WriteString("\nNo changes.\n")
	}
	return b.String()
}

func changelogLine(c Conventional) string {
	line := "- "
	if c.Scope != "" {
		line += "**" + c.Scope + ":** "
	}
	line += c.Description
	if c.ID != "" {
		line += " (" + c.ID[:min(7, len(c.ID))] + ")"
	}
	return line
}

const changelogTitle = "# Changelog"

// PrependChangelog puts section above the newest release of an existing
// CHANGELOG.md: after its "# Changelog" title and introduction, before the
// first "## " heading. A file without the title gets one.
func PrependChangelog(existing, section string) string {
	section = strings.TrimRight(section, "\n") + "\n"
	rest := strings.TrimLeft(existing, "\n")
	head := changelogTitle + "\n\n"
	if after, ok := strings.CutPrefix(rest, changelogTitle); ok && (after == "" || after[0] == '\n') {
		after = strings.TrimLeft(after, "\n")
		intro := after
		if i := strings.Index("\n"+after, "\n## "); i >= 0 {
			intro, rest = after[:i], after[i:]
		} else {
			rest = ""
		}
		if intro = strings.TrimRight(intro, "\n"); intro != "" {
			head += intro + "\n\n"
		}
	}
	out := head + section
	if rest = strings.TrimRight(rest, "\n"); rest != "" {
		out += "\n" + rest + "\n"
	}
	return out
}
