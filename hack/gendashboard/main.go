// Command gendashboard writes ferry's Grafana dashboard (built by
// internal/metrics/dashboard) into the reference platform's monitoring app.
//
//	go run -tags kustomize_disable_go_plugin_support ./hack/gendashboard
package main

import (
	"fmt"
	"os"

	"ferry.dev/ferry/internal/metrics/dashboard"
)

// Path is where the monitoring app provisions it from, relative to the
// repository root.
const Path = "examples/platform/apps/monitoring/base/ferry/ferry-dashboard.json"

func main() {
	out, err := dashboard.JSON()
	if err == nil {
		err = os.WriteFile(Path, out, 0o644)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "gendashboard:", err)
		os.Exit(1)
	}
}
