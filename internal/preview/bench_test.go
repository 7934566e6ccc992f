package preview_test

import (
	"context"
	"fmt"
	"path/filepath"
	"strings"
	"testing"

	"ferry.dev/ferry/internal/preview"
	"ferry.dev/ferry/internal/scaffold"
	"ferry.dev/ferry/internal/testenv"
)

// BenchmarkPreview1000: a change to 1,000 rendered objects of the dev
// environment (a value in each of 1,000 ConfigMaps), previewed without a
// cluster: both revisions checked out, checked and rendered, diffed and
// written as Markdown. Target: ≤ 2 s per preview (make bench-preview).
func BenchmarkPreview1000(b *testing.B) {
	testenv.GitIsolate(b)
	dir := filepath.Join(b.TempDir(), "platform")
	if _, err := scaffold.Init(context.Background(), dir, false); err != nil {
		b.Fatal(err)
	}
	many := func(value string) string {
		var s strings.Builder
		for i := range 1000 {
			fmt.Fprintf(&s, "---\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: many-%d\n  labels: {team: platform-team}\ndata:\n  v: %s\n", i, value)
		}
		return s.String()
	}
	overlay := filepath.Join(dir, "apps", "sample-service", "overlays", "dev")
	testenv.GitRun(b, dir, "switch", "-q", "develop")
	writeB(b, filepath.Join(overlay, "many.yaml"), many("before"))
	editB(b, filepath.Join(overlay, "kustomization.yaml"), "resources:\n", "resources:\n  - many.yaml\n")
	testenv.GitRun(b, dir, "add", "-A")
	testenv.GitRun(b, dir, "commit", "-q", "-m", "feat: many")
	testenv.GitRun(b, dir, "switch", "-q", "-c", "feature/many")
	writeB(b, filepath.Join(overlay, "many.yaml"), many("after"))
	testenv.GitRun(b, dir, "commit", "-q", "-am", "feat: change many")
	b.ResetTimer()
	for b.Loop() {
		p, err := preview.Run(context.Background(), dir, preview.Options{Base: "develop", Head: "feature/many", Envs: []string{"dev"}})
		if err != nil {
			b.Fatal(err)
		}
		if n := p.Envs[0].Counts["configure"]; n != 1000 {
			b.Fatalf("%d objects configured, want 1000", n)
		}
		_ = p.Markdown(preview.MarkdownOptions{})
	}
}
