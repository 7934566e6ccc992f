package scan

import (
	"fmt"
	"os"
	"path"
	"path/filepath"
	"regexp"
	"strings"

	"gopkg.in/yaml.v3"

	"ferry.dev/ferry/internal/check"
	"ferry.dev/ferry/internal/check/yamlscan"
)

// helmSource is what a rendered Helm object came from: the template's text
// and the values files merged for its environment (chart defaults first).
type helmSource struct {
	template []byte
	values   []string
}

var (
	valuesRef  = regexp.MustCompile(`\.Values\.([A-Za-z0-9_]+(?:\.[A-Za-z0-9_]+)*)`)
	blockOpen  = regexp.MustCompile(`^\{\{-?\s*(if|with|range)\b`)
	blockEnd   = regexp.MustCompile(`^\{\{-?\s*end\b`)
	actionText = regexp.MustCompile(`\{\{[^\n]*?\}\}`)
)

// annotateValues names, on findings about a rendered Helm object, the
// values that decide the template line they point at and the values file
// that sets each, so a reader knows which file to change.
func (r *run) annotateValues(d *yamlscan.Document, fs []check.Finding) {
	src, ok := r.helmDocs[d]
	if !ok || d.Origin == nil {
		return
	}
	for i := range fs {
		if fs[i].Location.File != d.Origin.File {
			continue
		}
		var notes []string
		for _, key := range valuesKeys(src.template, fs[i].Location.Line) {
			if vf := r.valuesSource(src.values, key); vf != "" {
				notes = append(notes, fmt.Sprintf("%s from %s", key, vf))
			}
		}
		if len(notes) > 0 {
			fs[i].Message += " (values: " + strings.Join(notes, ", ") + ")"
		}
	}
}

// valuesKeys lists the values a template line uses and the conditions of
// the if/with/range blocks around it, innermost first.
func valuesKeys(data []byte, line int) []string {
	lines := strings.Split(string(data), "\n")
	if line < 1 || line > len(lines) {
		return nil
	}
	seen := map[string]bool{}
	var keys []string
	add := func(s string) {
		for _, m := range valuesRef.FindAllStringSubmatch(s, -1) {
			if !seen[m[1]] {
				seen[m[1]] = true
				keys = append(keys, m[1])
			}
		}
	}
	add(lines[line-1])
	depth := 0
	for i := line - 2; i >= 0; i-- {
		acts := actionText.FindAllString(lines[i], -1)
		for j := len(acts) - 1; j >= 0; j-- {
			switch {
			case blockEnd.MatchString(acts[j]):
				depth++
			case blockOpen.MatchString(acts[j]) && depth > 0:
				depth--
			case blockOpen.MatchString(acts[j]):
				add(acts[j])
			}
		}
	}
	return keys
}

// valuesSource is the last of files that sets key (a dotted path), or "".
func (r *run) valuesSource(files []string, key string) string {
	for i := len(files) - 1; i >= 0; i-- {
		data, err := os.ReadFile(filepath.Join(r.root, filepath.FromSlash(path.Clean(files[i]))))
		if err != nil {
			continue
		}
		var m map[string]any
		if yaml.Unmarshal(data, &m) != nil {
			continue
		}
		if hasKey(m, strings.Split(key, ".")) {
			return files[i]
		}
	}
	return ""
}

func hasKey(m map[string]any, keys []string) bool {
	v, ok := m[keys[0]]
	if !ok || len(keys) == 1 {
		return ok
	}
	sub, isMap := v.(map[string]any)
	return isMap && hasKey(sub, keys[1:])
}
