package store_test

import (
	"os"
	"testing"

	"ferry.dev/ferry/internal/testenv"
)

func TestMain(m *testing.M) {
	if path := os.Getenv(writerEnv); path != "" {
		os.Exit(runWriter(path))
	}
	if spec := os.Getenv(deployerEnv); spec != "" {
		os.Exit(runDeployer(spec))
	}
	testenv.PostgresMain(m)
}
