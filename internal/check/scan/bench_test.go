package scan

import (
	"context"
	"os"
	"testing"
)

// BenchmarkRunCorpus runs the pipeline on the corpus of hack/bench
// (FERRY_BENCH_CORPUS=dir; generate it with go run ./hack/bench/gencorpus).
func BenchmarkRunCorpus(b *testing.B) {
	dir := os.Getenv("FERRY_BENCH_CORPUS")
	if dir == "" {
		b.Skip("set FERRY_BENCH_CORPUS to a corpus from hack/bench/gencorpus")
	}
	for b.Loop() {
		if _, err := Run(context.Background(), Options{Root: dir}); err != nil {
			b.Fatal(err)
		}
	}
}
