package fluxbench

import (
	"fmt"
	"io"
	"os"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"
)

// table is the benchmark's result: one row per figure, ferry's and Flux's,
// and Flux's over ferry's (every figure is a cost or a delay: above 1,
// ferry is ahead).
type table struct{ rows []row }

type row struct {
	what        string
	ferry, flux float64
	note        string
}

// add records a figure (durations are taken in seconds) and prints it to
// stderr at once, so a long run shows its progress and an interrupted one
// keeps what it measured.
func (t *table) add(what string, ferry, flux any, note string) {
	r := row{what, num(ferry), num(flux), note}
	t.rows = append(t.rows, r)
	fmt.Fprintf(os.Stderr, "%s: ferry %s, flux %s (%s) %s\n", r.what, figure(r.ferry), figure(r.flux), r.ratio(), r.note)
}

func num(v any) float64 {
	switch v := v.(type) {
	case time.Duration:
		return v.Seconds()
	case float64:
		return v
	case int:
		return float64(v)
	}
	panic(fmt.Sprintf("table: %T is not a figure", v))
}

func (r row) ratio() string {
	switch {
	case r.ferry == 0 && r.flux == 0:
		return "="
	case r.ferry == 0:
		return "∞"
	}
	return fmt.Sprintf("%.1f×", r.flux/r.ferry)
}

func (t *table) print(w io.Writer) {
	width := 0
	for _, r := range t.rows {
		width = max(width, len([]rune(r.what)))
	}
	fmt.Fprintf(w, "%-*s %10s %10s %9s  %s\n", width, "scenario", "ferry", "flux", "flux/ferry", "")
	for _, r := range t.rows {
		fmt.Fprintf(w, "%s%s %10s %10s %9s  %s\n", r.what, strings.Repeat(" ", width-len([]rune(r.what))),
			figure(r.ferry), figure(r.flux), r.ratio(), r.note)
	}
}

func figure(v float64) string {
	switch {
	case v == 0:
		return "0"
	case v < 10:
		return fmt.Sprintf("%.3f", v)
	default:
		return fmt.Sprintf("%.0f", v)
	}
}

var unitless = regexp.MustCompile(`[^a-z0-9]+`)

// report hands every figure to the benchmark framework too.
func (t *table) report(b *testing.B) {
	for _, r := range t.rows {
		key := strings.Trim(unitless.ReplaceAllString(strings.ToLower(r.what), "-"), "-")
		b.ReportMetric(r.ferry, "ferry-"+key)
		b.ReportMetric(r.flux, "flux-"+key)
	}
}

func pct(ds []time.Duration, p int) time.Duration {
	s := slices.Clone(ds)
	slices.Sort(s)
	i := (len(s)*p+99)/100 - 1
	return s[max(0, min(i, len(s)-1))]
}

func sec(d time.Duration) float64 { return d.Seconds() }
func mb(kb int) float64           { return float64(kb) / 1024 }
