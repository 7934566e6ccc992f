// Package dashboard builds ferry's Grafana dashboard with Grafana's own
// builder library (grafana-foundation-sdk). The reference platform's
// monitoring app provisions the JSON it writes (make dashboards, or go run
// ./hack/gendashboard); a test keeps that file equal to what Build makes and
// runs every panel's query on a real Prometheus that scraped ferry serve.
package dashboard

import (
	"encoding/json"
	"fmt"

	"github.com/grafana/grafana-foundation-sdk/go/cog"
	"github.com/grafana/grafana-foundation-sdk/go/cog/variants"
	"github.com/grafana/grafana-foundation-sdk/go/common"
	"github.com/grafana/grafana-foundation-sdk/go/dashboard"
	"github.com/grafana/grafana-foundation-sdk/go/prometheus"
	"github.com/grafana/grafana-foundation-sdk/go/stat"
	"github.com/grafana/grafana-foundation-sdk/go/table"
	"github.com/grafana/grafana-foundation-sdk/go/timeseries"
)

// UID is the dashboard's stable identifier (links from ferry's docs).
const UID = "ferry-delivery"

// Query is one panel query.
type Query struct {
	Panel  string
	Expr   string // PromQL, with Grafana's $__rate_interval
	Legend string
}

// Panel is one panel of a row.
type Panel struct {
	Title, Description, Unit string
	Kind                     string // timeseries, stat, table
	Queries                  []Query
}

// Row groups panels.
type Row struct {
	Title  string
	Panels []Panel
}

// Rows are the dashboard's content, in order.
var Rows = []Row{
	{"Pipeline", []Panel{
		{Title: "Environments", Kind: "table", Description: "Per environment target: the revision and version deployed, health and the agent's last outcome.",
			Queries: []Query{{Expr: `max by (env, target, revision, version, health, sync) (ferry_environment_info)`}}},
		{Title: "Gate blockers", Kind: "table", Description: "Gates that refused the agent's last auto promotion into a lane (1) or let it pass (0).",
			Queries: []Query{{Expr: `max by (lane, gate) (ferry_gate_blocked)`}}},
		{Title: "Releases", Kind: "stat", Description: "Version tags on the release lane, recorded by ferry.",
			Queries: []Query{{Expr: `sum(ferry_releases_total)`}}},
	}},
	{"Delivery", []Panel{
		{Title: "Deployments", Kind: "timeseries", Unit: "short", Description: "Finished deployments per environment and status (command line and agent).",
			Queries: []Query{{Expr: `sum by (env, status) (increase(ferry_deployments_total[$__rate_interval]))`, Legend: "{{env}} {{status}}"}}},
		{Title: "Failed deployments", Kind: "timeseries", Unit: "short", Description: "Failed or aborted deployments per environment target.",
			Queries: []Query{{Expr: `sum by (env, target) (increase(ferry_deployments_total{status=~"failed|aborted"}[$__rate_interval]))`, Legend: "{{env}}/{{target}}"}}},
		{Title: "Deployment duration (p90)", Kind: "timeseries", Unit: "s", Description: "90th percentile of the agent's deployment durations.",
			Queries: []Query{{Expr: `histogram_quantile(0.9, sum by (env, le) (rate(ferry_deployment_duration_seconds_bucket[$__rate_interval])))`, Legend: "{{env}}"}}},
		{Title: "Promotions", Kind: "timeseries", Unit: "short", Description: "Lane moves by kind and target lane.",
			Queries: []Query{{Expr: `sum by (kind, to) (increase(ferry_promotions_total[$__rate_interval]))`, Legend: "{{kind}} → {{to}}"}}},
		{Title: "Lead time for changes (p50, p90)", Kind: "timeseries", Unit: "s", Description: "First commit of a change to its deployment, per environment, over the dashboard's range.",
			Queries: []Query{
				{Expr: `histogram_quantile(0.5, sum by (env, le) (increase(ferry_lead_time_seconds_bucket[$__range])))`, Legend: "{{env}} p50"},
				{Expr: `histogram_quantile(0.9, sum by (env, le) (increase(ferry_lead_time_seconds_bucket[$__range])))`, Legend: "{{env}} p90"},
			}},
	}},
	{"DORA (production, 90 days)", []Panel{
		{Title: "Deployment frequency", Kind: "stat", Unit: "short", Description: "Successful change deployments per day.",
			Queries: []Query{{Expr: `max by (env) (ferry_dora_deployments_per_day)`}}},
		{Title: "Lead time (median)", Kind: "stat", Unit: "s",
			Queries: []Query{{Expr: `max by (env) (ferry_dora_lead_time_median_seconds)`}}},
		{Title: "Change failure rate", Kind: "stat", Unit: "percentunit",
			Queries: []Query{{Expr: `max by (env) (ferry_dora_change_failure_ratio)`}}},
		{Title: "Recovery time (median)", Kind: "stat", Unit: "s",
			Queries: []Query{{Expr: `max by (env) (ferry_dora_recovery_time_median_seconds)`}}},
		{Title: "Rework rate", Kind: "stat", Unit: "percentunit", Description: "Hotfix deployments over all change deployments.",
			Queries: []Query{{Expr: `max by (env) (ferry_dora_rework_ratio)`}}},
	}},
	{"Drift", []Panel{
		{Title: "Drifted objects and addresses", Kind: "timeseries", Unit: "short", Description: "What differs from the deployed revision at the last drift check.",
			Queries: []Query{
				{Expr: `sum by (env, target) (ferry_drift_objects)`, Legend: "{{env}}/{{target}} objects"},
				{Expr: `sum by (env, target) (ferry_drift_resources)`, Legend: "{{env}}/{{target}} terraform"},
			}},
	}},
	{"Agent", []Panel{
		{Title: "Reconcile duration (p90)", Kind: "timeseries", Unit: "s",
			Queries: []Query{{Expr: `histogram_quantile(0.9, sum by (env, le) (rate(ferry_reconcile_duration_seconds_bucket[$__rate_interval])))`, Legend: "{{env}}"}}},
		{Title: "Webhooks", Kind: "timeseries", Unit: "short", Description: "Deliveries by Git host and result.",
			Queries: []Query{{Expr: `sum by (provider, result) (increase(ferry_webhook_requests_total[$__rate_interval]))`, Legend: "{{provider}} {{result}}"}}},
		{Title: "Git fetches", Kind: "timeseries", Unit: "s", Description: "90th percentile fetch time of the mirror, and failed fetches.",
			Queries: []Query{
				{Expr: `histogram_quantile(0.9, sum by (le) (rate(ferry_git_fetch_duration_seconds_bucket[$__rate_interval])))`, Legend: "p90"},
				{Expr: `sum(increase(ferry_git_fetch_failures_total[$__rate_interval]))`, Legend: "failures"},
			}},
		{Title: "Leader and scrape", Kind: "timeseries", Unit: "short", Description: "Which ferry serve process leads, and whether Prometheus reaches each one.",
			Queries: []Query{
				{Expr: `max by (instance) (ferry_agent_leader)`, Legend: "{{instance}} leads"},
				{Expr: `max by (instance) (up{job="ferry"})`, Legend: "{{instance}} up"},
				{Expr: `min(ferry_store_up)`, Legend: "store"},
			}},
	}},
}

// Queries lists every panel query.
func Queries() []Query {
	var out []Query
	for _, r := range Rows {
		for _, p := range r.Panels {
			for _, q := range p.Queries {
				q.Panel = p.Title
				out = append(out, q)
			}
		}
	}
	return out
}

// JSON builds the dashboard and returns it as indented JSON.
func JSON() ([]byte, error) {
	b := dashboard.NewDashboardBuilder("ferry: delivery").
		Uid(UID).
		Description("ferry serve: where every change is, how often and how well it ships, drift, gates, webhooks and Git.").
		Tags([]string{"ferry", "gitops"}).
		Refresh("30s").
		Time("now-6h", "now").
		Timezone(common.TimeZoneBrowser).
		Readonly()
	for _, r := range Rows {
		b = b.WithRow(dashboard.NewRowBuilder(r.Title))
		for _, p := range r.Panels {
			b = b.WithPanel(panel(p))
		}
	}
	d, err := b.Build()
	if err != nil {
		return nil, fmt.Errorf("build the ferry dashboard: %w", err)
	}
	out, err := json.MarshalIndent(d, "", "  ")
	if err != nil {
		return nil, fmt.Errorf("encode the ferry dashboard: %w", err)
	}
	return append(out, '\n'), nil
}

// DatasourceUID is the uid of the Prometheus datasource the monitoring
// app's Grafana provisions.
const DatasourceUID = "prometheus"

var datasource = common.DataSourceRef{Type: cog.ToPtr("prometheus"), Uid: cog.ToPtr(DatasourceUID)}

func targets(p Panel) []cog.Builder[variants.Dataquery] {
	var out []cog.Builder[variants.Dataquery]
	for i, q := range p.Queries {
		t := prometheus.NewDataqueryBuilder().Expr(q.Expr).RefId(string(rune('A' + i)))
		if q.Legend != "" {
			t = t.LegendFormat(q.Legend)
		}
		if p.Kind != "timeseries" {
			t = t.Instant()
		}
		out = append(out, t)
	}
	return out
}

func panel(p Panel) cog.Builder[dashboard.Panel] {
	switch p.Kind {
	case "table":
		b := table.NewPanelBuilder().Title(p.Title).Description(p.Description).Datasource(datasource).Height(8).Span(12)
		for _, t := range targets(p) {
			b = b.WithTarget(t)
		}
		return b
	case "stat":
		b := stat.NewPanelBuilder().Title(p.Title).Description(p.Description).Datasource(datasource).Height(6).Span(6)
		if p.Unit != "" {
			b = b.Unit(p.Unit)
		}
		for _, t := range targets(p) {
			b = b.WithTarget(t)
		}
		return b
	}
	b := timeseries.NewPanelBuilder().Title(p.Title).Description(p.Description).Unit(p.Unit).Min(0).Datasource(datasource).Height(8).Span(12)
	for _, t := range targets(p) {
		b = b.WithTarget(t)
	}
	return b
}
