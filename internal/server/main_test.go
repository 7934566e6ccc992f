package server_test

import (
	"testing"

	"ferry.dev/ferry/internal/testenv"
)

// TestMain stops the control plane and PostgreSQL the tests shared.
func TestMain(m *testing.M) { testenv.Main(m) }
