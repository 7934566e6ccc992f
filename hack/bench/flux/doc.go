// Package fluxbench measures ferry serve against Flux, the peer a platform
// team would otherwise run, on the same harness control plane in the same
// run: BenchmarkFlux (make bench-agent, after make setup; the Flux
// controllers are built from the Go module proxy by build.sh).
//
// Both tools fetch the same Git repository over smart HTTP on loopback
// (git http-backend behind net/http/cgi) and apply the same kustomize
// overlay, ferry into one namespace and Flux into another. Scenarios:
// push → applied (webhook, and polling at the same interval), no-op
// reconcile of 100 / 1,000 / 10,000 objects, hand edit → corrected, and
// steady-state memory and CPU. Each tool runs alone while it is measured.
package fluxbench
