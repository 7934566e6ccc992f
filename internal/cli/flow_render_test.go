package cli

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"testing"
	"time"

	"ferry.dev/ferry/internal/flow"
	"ferry.dev/ferry/internal/store"
	"ferry.dev/ferry/internal/view"
)

var updateFlowGolden = flag.Bool("update-flow", false, "rewrite the flow verbs' golden files")

// TestFlowRenderGolden pins the text tables of status, history and gates.
func TestFlowRenderGolden(t *testing.T) {
	t.Parallel()
	var b bytes.Buffer
	renderLanes(&b, &view.Status{Lanes: []flow.LaneStatus{
		{Lane: "develop", Env: "dev", Head: "1111111111111111", Version: "v0.2.1", Subject: "feat: portal"},
		{Lane: "staging", Env: "staging", Protected: true, Head: "2222222222222222", Version: "v0.2.1", Upstream: "develop", Waiting: 3,
			Subject: "quick fix", Drift: []flow.CommitInfo{{Short: "222222222222", Subject: "quick fix", Author: "Dev <d@x>"}}},
		{Lane: "main", Protected: true, Upstream: "staging", Error: "read lane main: no such branch"},
	}})
	b.WriteString("----\n")
	at := time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC)
	renderPromotions(&b, &view.History{Lane: "release", Env: "production", Promotions: []store.Promotion{
		{ID: 3, Kind: "rollback", From: "v0.2.0", To: "release", Commit: "3333333333333333", Version: "v0.2.0", Actor: "Ops <o@x>", CreatedAt: at},
		{ID: 2, Kind: "release", From: "main", To: "release", Commit: "4444444444444444", Version: "v0.2.1", Actor: "Ops <o@x>",
			Evidence: []string{"check-run:9"}, Override: "checks service down, INC-42", CreatedAt: at},
	}})
	b.WriteString("----\n")
	writeGates(&b, []flow.Gate{
		{Name: "deployed", Passed: true, Reason: "staging deployed abc healthy in deployment 7 and verified it"},
		{Name: "checks", Reason: "no check run recorded for abc: run `ferry validate`"},
		{Name: "lane", Reason: "main was edited by hand", Overridden: true},
	})
	golden := filepath.Join("testdata", "flow_render.golden")
	if *updateFlowGolden {
		if err := os.WriteFile(golden, b.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatal(err)
	}
	if b.String() != string(want) {
		t.Fatalf("rendering differs from %s (go test -run FlowRender ./internal/cli -update-flow):\n%s", golden, b.String())
	}
}
