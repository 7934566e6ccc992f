package fluxbench

import (
	"testing"

	"ferry.dev/ferry/internal/testenv"
)

func TestMain(m *testing.M) { testenv.Main(m) }
