// Command gendashboard writes ferry's Grafana dashboard (built by
// internal/metrics/dashboard) into the reference platform's monitoring app.
// With -queries it prints each panel's title and query instead (Grafana's
// interval variables expanded), one per line, tab-separated; the demo
// answers them from its Prometheus.
//
//	go run -tags kustomize_disable_go_plugin_support ./hack/gendashboard [-queries]
package main

import (
	"flag"
	"fmt"
	"os"

	"ferry.dev/ferry/internal/metrics/dashboard"
)

// Path is where the monitoring app provisions it from, relative to the
// repository root.
const Path = "examples/platform/apps/monitoring/base/ferry/ferry-dashboard.json"

func main() {
	queries := flag.Bool("queries", false, "print the panels' queries instead of writing the dashboard")
	flag.Parse()
	if *queries {
		for _, q := range dashboard.Queries() {
			fmt.Printf("%s\t%s\n", q.Panel, dashboard.Expand(q.Expr))
		}
		return
	}
	out, err := dashboard.JSON()
	if err == nil {
		err = os.WriteFile(Path, out, 0o644)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "gendashboard:", err)
		os.Exit(1)
	}
}
