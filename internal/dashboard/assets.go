package dashboard

import (
	"embed"
	"fmt"
	"html/template"
	"io/fs"
	"net/http"
	"strings"
	"time"

	"ferry.dev/ferry/internal/flow"
	"ferry.dev/ferry/internal/kube"
	"ferry.dev/ferry/internal/store"
)

//go:embed assets
var assetFS embed.FS

//go:embed templates/*.html
var templateFS embed.FS

// assetHandler serves the embedded stylesheet and script.
func assetHandler() http.Handler {
	sub, err := fs.Sub(assetFS, "assets")
	if err != nil {
		panic(err)
	}
	files := http.FileServerFS(sub)
	return http.StripPrefix("/assets/", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Cache-Control", "public, max-age=3600")
		files.ServeHTTP(w, r)
	}))
}

// pages are the parsed templates; a bad template fails every test.
var pages = template.Must(template.New("").Funcs(funcs).ParseFS(templateFS, "templates/*.html"))

var funcs = template.FuncMap{
	"short": short,
	"ago":   ago,
	"when": func(t time.Time) string {
		if t.IsZero() {
			return ""
		}
		return t.UTC().Format("2006-01-02 15:04:05 UTC")
	},
	"iso": func(t time.Time) string { return t.UTC().Format(time.RFC3339) },
	"dur": func(d time.Duration) string { return fmtDur(int64(d)) },
	"took": func(a, b time.Time) string {
		if a.IsZero() || b.IsZero() {
			return ""
		}
		return fmtDur(int64(b.Sub(a)))
	},
	"statusClass": func(s store.Status) string { return "st-" + string(s) },
	"evidence":    evidenceLink,
	"join":        strings.Join,
	"pct": func(n, max int) int {
		if max == 0 {
			return 0
		}
		return n * 100 / max
	},
	"stateText": stateText,
	"gateClass": func(g flow.Gate) string {
		switch {
		case g.Passed:
			return "pass"
		case g.Overridden:
			return "over"
		case g.Pending:
			return "pend"
		}
		return "fail"
	},
	"gateMark": func(g flow.Gate) string {
		switch {
		case g.Passed:
			return "✓"
		case g.Overridden:
			return "!"
		case g.Pending:
			return "…"
		}
		return "✗"
	},
	"gateWord": func(g flow.Gate) string {
		switch {
		case g.Passed:
			return "passed"
		case g.Overridden:
			return "overridden"
		case g.Pending:
			return "pending"
		}
		return "failed"
	},
	// waitingMore is how many waiting commits a lane does not list.
	"waitingMore": func(l flow.LaneStatus) int { return l.Waiting - len(l.WaitingCommits) },
	// objName is a recorded object for people: Kind/namespace/name, or
	// the Terraform address.
	"objName": func(o string) string {
		if id, err := kube.ParseID(o); err == nil {
			return id.Short()
		}
		return o
	},
	"envPath":  func(e string) string { return "/env/" + e },
	"lanePath": func(l string) string { return "/promotions/" + l },
}

func fmtDur(ns int64) string {
	d := time.Duration(ns)
	switch {
	case d < time.Second:
		return d.Round(time.Millisecond).String()
	case d < time.Minute:
		return d.Round(100 * time.Millisecond).String()
	}
	return d.Round(time.Second).String()
}

func ago(t time.Time) string {
	if t.IsZero() {
		return "never"
	}
	d := time.Since(t)
	switch {
	case d < time.Minute:
		return fmt.Sprintf("%ds ago", int(d.Seconds()))
	case d < time.Hour:
		return fmt.Sprintf("%dm ago", int(d.Minutes()))
	case d < 48*time.Hour:
		return fmt.Sprintf("%dh ago", int(d.Hours()))
	}
	return fmt.Sprintf("%dd ago", int(d.Hours()/24))
}

func stateText(s string) string {
	switch s {
	case "ready":
		return "ready to promote"
	case "blocked":
		return "blocked"
	case "pending":
		return "pending: checks run on promotion"
	case "up-to-date":
		return "up to date"
	case "no-candidate":
		return "no candidate"
	}
	return "unknown"
}
